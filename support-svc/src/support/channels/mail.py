"""S-1 by e-mail: support runs an SMTP server (aiosmtpd) for the support address, behind the provider's MX relay.

A mail from a client's own address becomes a ticket, or a reply on the ticket whose code it carries (`[#CODE]` in
the subject, as our answers are sent, or `soporte+CODE@...`). A mail from an unknown address is refused (550), so
the sender's server tells the sender at once; a mail seen before (same Message-ID) is accepted and changes nothing;
a failure on our side is a 451, so the sender's server tries again later. Nothing is accepted before it is
committed."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import html
import re
import uuid
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

import structlog
from aiosmtpd.smtp import SMTP
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import unit_of_work
from abono.errors import DomainError, InvalidInput
from support.channels.inbound import Inbound, code_in, receive
from support.clients.repository import ClientRepository
from support.config import SupportSettings
from support.runtime import Runtime
from support.tickets.attachments import CheckedFile, check_attachment

log = structlog.get_logger("support.mail")
MAX_BODY_CHARS = 20_000
_TAG = re.compile(r"<[^>]+>")
_REPLY_PREFIX = re.compile(r"^\s*((re|rv|fw|fwd|aw)\s*:\s*)+", re.IGNORECASE)


def _address_parts(address: str) -> tuple[str, str]:
    local, _, domain = address.strip().lower().rpartition("@")
    return local.split("+", 1)[0], domain


def accepts(settings: SupportSettings, address: str) -> bool:
    """The support address, with or without a `+tag`."""
    return _address_parts(address) == _address_parts(settings.support_address)


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        content = html.unescape(_TAG.sub(" ", content))
    # Our own answer, quoted back below the reply, is not part of what the client wrote.
    lines = [line.rstrip() for line in str(content).splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(lines).strip()[:MAX_BODY_CHARS]


def _attachments(settings: SupportSettings, message: EmailMessage) -> tuple[list[CheckedFile], list[str]]:
    kept: list[CheckedFile] = []
    notes: list[str] = []
    for part in message.iter_attachments():
        name = str(part.get_filename() or "adjunto")[:200]
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):
            continue
        if len(kept) >= settings.attachments_per_message:
            notes.append(f"[adjunto omitido: {name}: demasiados adjuntos]")
            continue
        try:
            kept.append(check_attachment(filename=name, content=content, allowed=settings.attachment_types,
                                         max_bytes=settings.attachment_max_bytes))
        except InvalidInput as exc:
            notes.append(f"[adjunto omitido: {exc.detail}]")
    return kept, notes


def inbound_from(settings: SupportSettings, message: EmailMessage, *, client_id: uuid.UUID,
                 recipients: list[str], raw: bytes) -> Inbound:
    subject = " ".join(str(message["Subject"] or "").split())
    title = _REPLY_PREFIX.sub("", re.sub(r"\[#\w+\]", "", subject)).strip()[:200]
    files, notes = _attachments(settings, message)
    body = "\n\n".join(p for p in (_text(message), *notes) if p) or "(mensaje sin texto)"
    message_id = str(message["Message-ID"] or "").strip()
    external = f"mail:{message_id}" if message_id else "mail:sha256:" + hashlib.sha256(raw).hexdigest()
    return Inbound(client_id=client_id, channel="email", subject=title if len(title) >= 3 else "(sin asunto)",
                   body=body, external_id=external[:500], code=code_in(subject, *recipients),
                   attachments=tuple(files))


class SupportMailbox:
    """aiosmtpd handler for the support address."""

    def __init__(self, runtime: Runtime, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.runtime, self.sessionmaker = runtime, sessionmaker

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if not accepts(self.runtime.settings, address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        sender = parseaddr(str(message["From"] or ""))[1] or str(envelope.mail_from or "")
        try:
            async with unit_of_work(self.sessionmaker) as db:
                client = await ClientRepository(db).by_email(sender)
                if client is None:
                    log.info("mail_from_unknown_sender", sender=sender)
                    return "550 5.7.1 Write from the e-mail address of your account"
                inbound = inbound_from(self.runtime.settings, message, client_id=client.id,
                                       recipients=list(envelope.rcpt_tos), raw=raw)
                ticket = await receive(db, self.runtime, inbound)
        except DomainError as exc:
            return f"550 5.6.0 {exc.detail}"
        except Exception:
            log.exception("mail_not_applied", sender=sender)
            return "451 4.3.0 Temporary failure, try again later"
        log.info("mail_received", ticket=ticket.code if ticket else None, duplicate=ticket is None)
        return "250 Message accepted"


async def start_mail_server(runtime: Runtime, sessionmaker: async_sessionmaker[AsyncSession]) -> asyncio.Server:
    settings = runtime.settings
    handler = SupportMailbox(runtime, sessionmaker)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, data_size_limit=settings.mail_max_bytes, enable_SMTPUTF8=True,
                     hostname=settings.support_address.rpartition("@")[2]),
        host=settings.mail_host, port=settings.mail_port)
