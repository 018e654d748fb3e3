"""E-mail over SMTP (aiosmtplib): a text and an HTML part; STARTTLS or implicit TLS, and auth, as configured; sent on
the pool's reused connections (`notify.delivery.smtp_pool`)."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import aiosmtplib

from notify.config import NotifySettings
from notify.delivery.smtp_pool import SmtpPool
from notify.delivery.transport import PermanentFailure, TransientFailure
from notify.messages.models import Message


class SmtpTransport:
    def __init__(self, settings: NotifySettings, pool: SmtpPool | None = None) -> None:
        self.settings = settings
        self.pool = pool or SmtpPool(settings, connections=settings.smtp_connections)
        _, sender = parseaddr(settings.mail_from)
        self._sender = sender
        self._msgid_domain = sender.rpartition("@")[2] or "abono.local"

    def build(self, message: Message) -> EmailMessage:
        if message.address is None:
            raise PermanentFailure("the message has no e-mail address")
        mail = EmailMessage()
        mail["From"] = self.settings.mail_from
        mail["To"] = Address(addr_spec=message.address)
        if self.settings.mail_reply_to:
            mail["Reply-To"] = self.settings.mail_reply_to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(usegmt=True)
        # Stable per message: a retried send after a lost reply is recognisable as the same mail.
        mail["Message-ID"] = make_msgid(idstring=message.id.hex, domain=self._msgid_domain)
        mail["X-Abono-Message"] = str(message.id)
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(message.body_text)
        if message.body_html:
            mail.add_alternative(message.body_html, subtype="html")
        return mail

    async def send(self, message: Message) -> str:
        mail = self.build(message)
        assert message.address is not None  # build() refuses a message without one
        try:
            await self.pool.send(mail, sender=self._sender, recipient=message.address)
        except aiosmtplib.SMTPRecipientRefused as exc:
            if 500 <= exc.code < 600:
                raise PermanentFailure(f"recipient refused: {exc}") from exc
            raise TransientFailure(f"recipient deferred: {exc}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600 and not isinstance(exc, aiosmtplib.SMTPAuthenticationError):
                raise PermanentFailure(f"SMTP {exc.code}: {exc.message}") from exc
            raise TransientFailure(f"SMTP {exc.code}: {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TransientFailure(f"SMTP unavailable: {exc!r}") from exc
        return str(mail["Message-ID"])
