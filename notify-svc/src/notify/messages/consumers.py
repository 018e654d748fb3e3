"""N-2: every notifying event becomes its messages, in the inbox transaction (the sender mails them after commit)."""

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.events import Event
from abono.messaging.consumer import Consumer
from notify.content.notices import NOTICES, Notice
from notify.messages.composer import Composer


def build_consumer(composer: Composer, clock: Callable[[], Clock]) -> Consumer:
    """`clock` is read at each event: the app's clock exists only once the app is built."""
    consumer = Consumer("notifications")

    def handler(to_notice: Callable[[Any], Notice]) -> Callable[[AsyncSession, Event], Awaitable[None]]:
        async def handle(session: AsyncSession, event: Event) -> None:
            await composer.compose(session, to_notice(event), now=clock().now())

        return handle

    for event_type, to_notice in NOTICES.items():
        consumer.on(event_type)(handler(to_notice))
    return consumer
