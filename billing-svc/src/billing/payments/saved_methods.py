"""B-21: a saved method's or mandate's new state, as a provider reports it (`EventEffect.method_update`), goes to
whoever keeps such methods (direct-debit mandates, saved cards ...), registered by `billing.bootstrap.wire`, so the
webhook path imports none of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from billing.payments.provider import MethodUpdate

# Returns what it did, or None when the method is not one it keeps.
MethodUpdateHandler = Callable[[AsyncSession, Clock, MethodUpdate], Awaitable[str | None]]


@dataclass
class MethodUpdateHandlers:
    handlers: list[MethodUpdateHandler] = field(default_factory=list)

    def register(self, handler: MethodUpdateHandler) -> None:
        if handler not in self.handlers:
            self.handlers.append(handler)

    async def dispatch(self, session: AsyncSession, clock: Clock, update: MethodUpdate) -> str:
        for handler in self.handlers:
            outcome = await handler(session, clock, update)
            if outcome is not None:
                return outcome
        return "method unknown"


method_updated = MethodUpdateHandlers()
