"""A client's direct debit as it stands (B-20: who may sign), and what the provider later says about a mandate."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.direct_debit.models import MandateState
from billing.direct_debit.protocol import TakesMandates
from billing.direct_debit.repository import MandateRepository
from billing.direct_debit.schemas import DirectDebitStatus, MandatePublic
from billing.payments.provider import MethodUpdate, PaymentProvider

log = structlog.get_logger("billing.direct_debit")


def mandate_provider(settings: BillingSettings, providers: dict[str, PaymentProvider]) -> TakesMandates | None:
    """The configured provider that takes mandates (`BILLING_DIRECT_DEBIT_PROVIDER`), if it is set up here."""
    found = providers.get(settings.direct_debit_provider)
    return found if isinstance(found, TakesMandates) else None


async def status(
    *, session: AsyncSession, settings: BillingSettings, providers: dict[str, PaymentProvider], client_id: uuid.UUID
) -> DirectDebitStatus:
    provider = mandate_provider(settings, providers)
    mandate = await MandateRepository(session).latest(client_id)
    shown = MandatePublic.of(mandate) if mandate is not None else None
    if provider is None:
        return DirectDebitStatus(available=False, unavailable_reason="not-configured", mandate=shown)
    client = await ClientRepository(session).get(client_id)
    if client is None or client.currency not in settings.direct_debit_currencies:
        return DirectDebitStatus(available=False, unavailable_reason="currency", provider=provider.name, mandate=shown)
    return DirectDebitStatus(available=True, provider=provider.name, mandate=shown)


async def apply_update(session: AsyncSession, clock: Clock, update: MethodUpdate) -> str | None:
    """The provider signed, refused or cancelled a mandate (its webhook, read back from its API). A cancelled
    mandate never comes back; the same state again changes nothing."""
    mandate = await MandateRepository(session).by_ref(update.provider, update.method_ref)
    if mandate is None:
        return None  # not a mandate: another keeper of saved methods may know it
    if mandate.state == MandateState.CANCELLED or mandate.state == update.state:
        return f"mandate {mandate.state}"
    mandate.state, mandate.state_detail, mandate.updated_at = update.state, update.detail, clock.now()
    if update.state == MandateState.CANCELLED:
        mandate.cancelled_at = clock.now()
    log.info("mandate_updated", mandate_ref=update.method_ref, state=update.state)
    return f"mandate {update.state}"
