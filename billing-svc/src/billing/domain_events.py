"""In-process domain events (Cosmic Python's message bus, reduced to what billing needs): what follows an invoice's
settlement reacts to `InvoiceSettled` instead of being called from the code that settles.

`billing.invoices.settlement.settle` publishes `InvoiceSettled` inside the settling transaction; each handler
(registered once, in order, by `billing.bootstrap.wire`) does its part with the same session and returns the
effects `InvoicePaid` reports. A handler only flushes.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from billing.config import BillingSettings


@dataclass(frozen=True)
class PaidPeriod:
    """One service line of a settled invoice: the services it paid and the end of the period it paid."""

    service_ids: tuple[uuid.UUID, ...]
    period_end_on: date


@dataclass(frozen=True)
class InvoiceSettled:
    """An invoice was paid, settled by credit, or waived (B-7, B-8, B-14, B-18)."""

    invoice_id: uuid.UUID
    client_id: uuid.UUID
    method: str
    at: datetime
    on: date  # the provider's calendar date of `at`
    periods: tuple[PaidPeriod, ...]
    client_has_overdue: bool  # another invoice of the client is still overdue (B-7: nothing comes back yet)
    kind: str  # the invoice's kind (`InvoiceKind`): only an upgrade invoice carries upgrades (B-14)


@dataclass(frozen=True)
class SettlementEffects:
    """What a handler did, as `InvoicePaid` lists it."""

    activated: tuple[uuid.UUID, ...] = ()
    reactivated: tuple[uuid.UUID, ...] = ()
    upgrades: tuple[uuid.UUID, ...] = ()

    def __add__(self, other: SettlementEffects) -> SettlementEffects:
        return SettlementEffects(self.activated + other.activated, self.reactivated + other.reactivated,
                                 self.upgrades + other.upgrades)


SettlementHandler = Callable[[AsyncSession, Clock, BillingSettings, InvoiceSettled], Awaitable[SettlementEffects]]


@dataclass
class SettlementHandlers:
    """The handlers of `InvoiceSettled`, run in the order they were registered."""

    handlers: list[SettlementHandler] = field(default_factory=list)

    def register(self, handler: SettlementHandler) -> None:
        if handler not in self.handlers:
            self.handlers.append(handler)

    async def dispatch(self, session: AsyncSession, clock: Clock, settings: BillingSettings,
                       event: InvoiceSettled) -> SettlementEffects:
        if not self.handlers:  # settling without its consequences would leave paid services pending
            raise RuntimeError("No InvoiceSettled handler is registered: call billing.bootstrap.wire() first.")
        effects = SettlementEffects()
        for handler in self.handlers:
            effects += await handler(session, clock, settings, event)
        return effects


invoice_settled = SettlementHandlers()
