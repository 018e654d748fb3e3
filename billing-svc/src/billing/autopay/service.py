"""B-21 for the client, in the request's transaction: saved methods listed, auto-pay's state, turning it on and off
(`billing.autopay.saving.stop_autopay`). Saving and removing at the provider: `billing.autopay.saving`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, InvalidInput, NotFound
from billing.autopay.models import AutopaySwitch, MethodStatus
from billing.autopay.repository import ChargeRepository, MethodRepository, SwitchRepository
from billing.autopay.schemas import AutopayChargePublic, AutopayPublic, SavedMethodPublic
from billing.clients.models import Client
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.payments import rules
from billing.payments.provider import MethodUpdate, PaymentProvider, SavesMethods


def saving_providers(providers: Mapping[str, PaymentProvider]) -> list[str]:
    return sorted(name for name, provider in providers.items() if isinstance(provider, SavesMethods))


def offered_to(
    client: Client | None, *, settings: BillingSettings, providers: Mapping[str, PaymentProvider]
) -> list[str]:
    """B-20: where this client may save a method: providers that save methods and that its country and currency
    allow (PayPal refuses UYU, PYG and VES accounts)."""
    if client is None:
        return []
    allowed = rules.allowed_methods(settings=settings, country=client.country, currency=client.currency)
    return [name for name in saving_providers(providers) if name in allowed]


def check_offered(
    client: Client, name: str, *, settings: BillingSettings, providers: Mapping[str, PaymentProvider]
) -> None:
    """Refuse saving a method at a provider this client may not pay with (B-20), with the manual's advice."""
    offered = offered_to(client, settings=settings, providers=providers)
    if name in offered:
        return
    if client.currency in settings.payment_method_refused_currencies.get(name, []):
        raise rules.CurrencyRefused(
            f"{name} does not accept accounts in {client.currency}. Ask support to switch your account to "
            f"{rules.SWITCH_CURRENCY_TO}, or save a method with: {', '.join(offered) or 'none'}.",
            allowed=offered, currency=client.currency, switch_to=rules.SWITCH_CURRENCY_TO)
    raise InvalidInput(f"Methods cannot be saved at {name!r} for your account (offered: "
                       f"{', '.join(offered) or 'none'}).", allowed=offered)


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
    client = await ClientRepository(session).get(client_id)
    return AutopayPublic(
        enabled=switch is not None,
        method=SavedMethodPublic.of(method) if method else None,
        days_before=settings.autopay_days_before,
        retry_days=sorted(settings.autopay_retry_days),
        providers=offered_to(client, settings=settings, providers=providers),
        charges=[AutopayChargePublic.of(c) for c in await ChargeRepository(session).recent(client_id)],
    )


async def enable(session: AsyncSession, *, clock: Clock, client_id: uuid.UUID, method_id: uuid.UUID) -> None:
    method = await MethodRepository(session).get(method_id, client_id=client_id)
    if method is None:
        raise NotFound("No such saved method.")
    if method.status != MethodStatus.ACTIVE:
        raise Conflict("That method is not saved yet (finish at the provider's page first).")
    await SwitchRepository(session).put(AutopaySwitch(client_id=client_id, method_id=method.id, enabled_at=clock.now()))


async def apply_method_update(session: AsyncSession, clock: Clock, update: MethodUpdate) -> str | None:
    """The payer cancelled a saved method at the provider (PayPal: the agreement cancelled in the payer's account,
    `VAULT.PAYMENT-TOKEN.DELETED`): it is removed here and auto-pay through it stops. None for a method not kept
    here (a direct-debit mandate ...)."""
    method = await MethodRepository(session).by_ref(update.provider, update.method_ref)
    if method is None:
        return None
    if update.state != "cancelled" or method.status == MethodStatus.REMOVED:
        return f"saved method {method.status}"
    method.status, method.removed_at = MethodStatus.REMOVED.value, clock.now()
    await SwitchRepository(session).remove(method.client_id, method_id=method.id)
    return "saved method removed"
