"""Signing up for direct debit and stopping it (B-20, B-21). Signing stores the mandate (pending, one live per client)
in a transaction of its own before the provider is called, so two clicks make one adhesion; the provider's answer is
stored in another (this module commits its own transactions, like the checkout). The card number or CBU goes to the
provider only: we keep its label ("CBU ···1234")."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.direct_debit.models import DirectDebitMandate, MandateState
from billing.direct_debit.protocol import TakesMandates
from billing.direct_debit.repository import DebitRepository, MandateRepository
from billing.direct_debit.schemas import MandateCreate, MandatePublic
from billing.direct_debit.service import mandate_provider
from billing.payments.models import AttemptStatus, PaymentAttempt
from billing.payments.provider import NewMandate, PaymentProvider, ProviderError

log = structlog.get_logger("billing.direct_debit")


async def sign_up(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: BillingSettings,
    providers: dict[str, PaymentProvider],
    client_id: uuid.UUID,
    body: MandateCreate,
) -> MandatePublic:
    provider = mandate_provider(settings, providers)
    if provider is None:
        raise InvalidInput("Direct debit is not offered here.")
    now = clock.now()
    async with unit_of_work(sessionmaker) as session:
        client = await ClientRepository(session).get(client_id)
        if client is None:
            raise NotFound("No billing account for this client yet.")
        if client.currency not in settings.direct_debit_currencies:  # B-20: Pagos360 debits pesos
            raise InvalidInput(
                f"Direct debit is for accounts in {', '.join(settings.direct_debit_currencies)}; "
                f"this account is in {client.currency}.",
                currency=client.currency,
            )
        digits = body.cbu if body.kind == "cbu" else body.card_number
        label = f"{'CBU' if body.kind == 'cbu' else 'Tarjeta'} ···{(digits or '')[-4:]}"
        mandate = DirectDebitMandate(
            id=uuid.uuid4(),
            client_id=client_id,
            provider=provider.name,
            kind=body.kind,
            mandate_ref=None,
            state=MandateState.PENDING,
            label=label,
            holder_name=body.holder_name.strip(),
            state_detail="",
            created_at=now,
            updated_at=now,
            cancelled_at=None,
        )
        if not await MandateRepository(session).add_live(mandate):
            raise Conflict("You already have a direct-debit mandate; cancel it first to sign another.")
        email = client.email
    try:
        ref, state, label = await provider.create_mandate(NewMandate(
            kind=body.kind,
            holder_name=mandate.holder_name,
            email=email,
            description="Débito automático Abono",
            reference=f"mandate-{mandate.id}",
            client_id=client_id,
            cbu=body.cbu or "",
            holder_tax_id=body.holder_tax_id or "",
            card_number=body.card_number or "",
        ))
    except ProviderError as exc:
        async with unit_of_work(sessionmaker) as session:  # nothing was made there: free the client's slot
            stored = await MandateRepository(session).get(mandate.id, for_update=True)
            if stored is not None:
                stored.state, stored.state_detail = MandateState.CANCELLED, "provider-error"
                stored.cancelled_at = stored.updated_at = clock.now()
        log.warning("mandate_create_failed", client_id=str(client_id), error=str(exc))
        raise ServiceUnavailable(f"{provider.name} could not be reached or refused the data; try again.") from exc
    async with unit_of_work(sessionmaker) as session:
        stored = await MandateRepository(session).get(mandate.id, for_update=True)
        assert stored is not None
        stored.mandate_ref, stored.label, stored.updated_at = ref, label, clock.now()
        if stored.state == MandateState.PENDING:
            stored.state = state
        log.info("mandate_created", client_id=str(client_id), mandate_ref=ref, state=stored.state)
        return MandatePublic.of(stored)


async def cancel(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    settings: BillingSettings,
    providers: dict[str, PaymentProvider],
    client_id: uuid.UUID,
) -> MandatePublic:
    """B-21: stopping takes effect at once here (no new debit request; the debits requested and not collected yet are
    withdrawn); the provider is told after."""
    async with unit_of_work(sessionmaker) as session:
        mandate = await MandateRepository(session).live(client_id, for_update=True)
        if mandate is None:
            raise NotFound("You have no direct-debit mandate.")
        mandate.state, mandate.cancelled_at = MandateState.CANCELLED, clock.now()
        mandate.updated_at, mandate.state_detail = clock.now(), "cancelled by the client"
        shown = MandatePublic.of(mandate)
        ref, name = mandate.mandate_ref, mandate.provider
        pending = await DebitRepository(session).waiting_for_client(provider=name, client_id=client_id)
        debits = [(a.id, a.provider_ref) for a in pending if a.status == AttemptStatus.OPEN and a.provider_ref]
        for attempt in pending:
            if attempt.status == AttemptStatus.STARTED:  # never confirmed by the provider: not retried any more
                attempt.status, attempt.withdrawn_at = AttemptStatus.CLOSED.value, clock.now()
    provider = providers.get(name)
    if not isinstance(provider, TakesMandates):
        return shown
    for attempt_id, debit_ref in debits:
        try:
            await provider.cancel_debit(debit_ref=debit_ref)
        except ProviderError as exc:  # collected already, or unreachable: a collected debit still pays its invoice
            log.warning("debit_cancel_at_provider_failed", debit=debit_ref, error=str(exc))
            continue
        async with unit_of_work(sessionmaker) as session:
            stored = await session.get(PaymentAttempt, attempt_id, with_for_update=True)
            if stored is not None and stored.status == AttemptStatus.OPEN:
                stored.status, stored.withdrawn_at = AttemptStatus.CLOSED.value, clock.now()
    if ref:
        try:
            await provider.cancel_mandate(mandate_ref=ref)
        except ProviderError as exc:  # ours is cancelled: no debit is requested on it any more
            log.warning("mandate_cancel_at_provider_failed", mandate_ref=ref, error=str(exc))
    return shown
