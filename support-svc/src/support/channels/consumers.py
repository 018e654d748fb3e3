"""S-1 by WhatsApp: notify verifies WhatsApp's webhook and forwards each inbound message; a message from a known
client's number opens a ticket, or goes on that client's open WhatsApp ticket. Unknown numbers are logged only."""

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import WhatsAppMessageReceived
from abono.messaging.consumer import Consumer
from support.channels.inbound import Inbound, code_in, receive
from support.clients.repository import ClientRepository, phone_digits
from support.runtime import Runtime

log = structlog.get_logger("support.whatsapp")
SUBJECT_CHARS = 60


def channels_consumer(runtime: Runtime) -> Consumer:
    """The `support.channels` consumer."""
    consumer = Consumer("channels")

    @consumer.on(WhatsAppMessageReceived)
    async def whatsapp(session: AsyncSession, event: WhatsAppMessageReceived) -> None:
        digits = phone_digits(event.from_number)
        client = await ClientRepository(session).by_phone(digits) if digits else None
        if client is None:
            log.info("whatsapp_from_unknown_number", wa_message_id=event.wa_message_id)
            return
        text = event.text.strip()[:20_000] or "(mensaje sin texto)"
        first_line = " ".join(text.split())[:SUBJECT_CHARS]
        await receive(session, runtime, Inbound(
            client_id=client.id, channel="whatsapp", subject=f"WhatsApp: {first_line}", body=text,
            external_id=f"wa:{event.wa_message_id}"[:500], code=code_in(text), continue_open=True))

    return consumer
