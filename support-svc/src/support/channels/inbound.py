"""S-1: every contact becomes a ticket. A message that arrives by e-mail or WhatsApp from a known client lands on
the ticket it names (its code), or on that client's open ticket of the channel (WhatsApp: one conversation), or
opens a new one. Each inbound message is applied once (its Message-ID / WhatsApp id is unique)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from support.runtime import Runtime
from support.sla.policy import SlaClass
from support.tickets import service
from support.tickets.attachments import CheckedFile
from support.tickets.models import Ticket
from support.tickets.repository import TicketRepository
from support.tickets.service import CODE_ALPHABET, CODE_LENGTH

CODE_IN_TEXT = re.compile(rf"\[#([{CODE_ALPHABET}]{{{CODE_LENGTH}}})\]")


def code_in(*texts: str | None) -> str | None:
    """The ticket code a subject (`[#CODE]`) or an address (`soporte+CODE@...`) carries, if any."""
    for text in texts:
        if not text:
            continue
        found = CODE_IN_TEXT.search(text.upper())
        if found:
            return found.group(1)
        plus = re.search(rf"\+([{CODE_ALPHABET}]{{{CODE_LENGTH}}})@", text.upper())
        if plus:
            return plus.group(1)
    return None


@dataclass(frozen=True)
class Inbound:
    client_id: uuid.UUID
    channel: str  # email | whatsapp
    subject: str
    body: str
    external_id: str
    code: str | None = None
    attachments: tuple[CheckedFile, ...] = ()
    continue_open: bool = False  # WhatsApp: add to the client's open WhatsApp ticket when no code is named


async def receive(session: AsyncSession, runtime: Runtime, inbound: Inbound) -> Ticket | None:
    """Apply one inbound message; None if it was applied before."""
    repo = TicketRepository(session)
    if await repo.external_seen(inbound.external_id):
        return None
    message = service.NewMessage(body=inbound.body, channel=inbound.channel, attachments=list(inbound.attachments),
                                 external_id=inbound.external_id)
    ticket = await _existing(repo, inbound)
    if ticket is not None:
        await service.client_message(session=session, runtime=runtime, ticket=ticket, message=message)
        return ticket
    return await service.open_ticket(session=session, runtime=runtime, client_id=inbound.client_id,
                                     subject=inbound.subject, sla_class=SlaClass(runtime.settings.inbound_sla_class),
                                     service_id=None, message=message)


async def _existing(repo: TicketRepository, inbound: Inbound) -> Ticket | None:
    if inbound.code:
        ticket = await repo.by_code(inbound.code)
        if ticket is not None and ticket.client_id == inbound.client_id:
            while ticket.merged_into is not None:  # a merged duplicate's replies go to the ticket it joined
                target = await repo.get(ticket.merged_into, for_update=True)
                if target is None:
                    break
                ticket = target
            return await repo.get(ticket.id, for_update=True)
    if inbound.continue_open:
        return await repo.open_ticket_on_channel(inbound.client_id, inbound.channel)
    return None
