"""B-21 for the client, in the request's transaction: saved methods listed, auto-pay's state, turning it on and off
(off takes effect at once: a pending charge is skipped when it is sent). Saving and removing at the provider:
`billing.autopay.saving`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, InvalidInput, NotFound
from billing.autopay.models import AutopaySwitch, MethodStatus
from billing.autopay.repository import ChargeRepository, MethodRepository, SwitchRepository
from billing.autopay.schemas import AutopayChargePublic, AutopayPublic, SavedMethodPublic
from billing.config import BillingSettings
from billing.payments.provider import PaymentProvider, SavesMethods


def saving_providers(providers: Mapping[str, PaymentProvider]) -> list[str]:
    return sorted(name for name, provider in providers.items() if isinstance(provider, SavesMethods))


def saver(providers: Mapping[str, PaymentProvider], name: str) -> SavesMethods:
    provider = providers.get(name)
    if not isinstance(provider, SavesMethods):
        offered = ", ".join(saving_providers(providers)) or "none"
        raise InvalidInput(f"Methods cannot be saved at {name!r} here (offered: {offered}).")
    return provider


async def list_methods(session: AsyncSession, client_id: uuid.UUID) -> list[SavedMethodPublic]:
    return [SavedMethodPublic.of(row) for row in await MethodRepository(session).of_client(client_id)]


async def autopay_state(
    session: AsyncSession, *, settings: BillingSettings, providers: Mapping[str, PaymentProvider], client_id: uuid.UUID
) -> AutopayPublic:
    switch = await SwitchRepository(session).get(client_id)
    method = await MethodRepository(session).get(switch.method_id) if switch is not None else None
    return AutopayPublic(
        enabled=switch is not None,
        method=SavedMethodPublic.of(method) if method else None,
        days_before=settings.autopay_days_before,
        retry_days=sorted(settings.autopay_retry_days),
        providers=saving_providers(providers),
        charges=[AutopayChargePublic.of(c) for c in await ChargeRepository(session).recent(client_id)],
    )


async def enable(session: AsyncSession, *, clock: Clock, client_id: uuid.UUID, method_id: uuid.UUID) -> None:
    method = await MethodRepository(session).get(method_id, client_id=client_id)
    if method is None:
        raise NotFound("No such saved method.")
    if method.status != MethodStatus.ACTIVE:
        raise Conflict("That method is not saved yet (finish at the provider's page first).")
    await SwitchRepository(session).put(AutopaySwitch(client_id=client_id, method_id=method.id, enabled_at=clock.now()))


async def disable(session: AsyncSession, *, client_id: uuid.UUID) -> None:
    """B-21: auto-pay off, at once (nothing is charged from now on, a pending attempt included)."""
    await SwitchRepository(session).remove(client_id)
