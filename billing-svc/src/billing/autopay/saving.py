"""B-21 for the client, at the provider: saving a method (its key committed before the provider is called, as for
payments, and the provider's answer in another transaction) and removing one (here at once, then at the provider).
These open and commit their own transactions (a sessionmaker, not the request's session)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import Clock
from abono.db import unit_of_work
from abono.errors import NotFound, ServiceUnavailable
from billing.autopay.models import MethodStatus, SavedPaymentMethod
from billing.autopay.repository import MethodRepository, SwitchRepository
from billing.autopay.schemas import SavedMethodPublic
from billing.autopay.service import check_offered, saver
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.payments.provider import PaymentProvider, ProviderError, SavedMethod, SavesMethods, SetupExpired


async def start_saving(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    providers: Mapping[str, PaymentProvider],
    clock: Clock,
    settings: BillingSettings,
    client_id: uuid.UUID,
    provider_name: str,
) -> SavedMethodPublic:
    """A pending saved method and the provider's page where the client enters it."""
    provider = saver(providers, provider_name)
    method_id = uuid.uuid4()
    async with unit_of_work(sessionmaker) as session:
        client = await ClientRepository(session).get(client_id)
        if client is None:
            raise NotFound("No such client.")
        check_offered(client, provider_name, settings=settings, providers=providers)
        email = client.email
        customer_ref = await MethodRepository(session).customer_ref(client_id, provider_name)
        await MethodRepository(session).add(
            SavedPaymentMethod(
                id=method_id,
                client_id=client_id,
                provider=provider_name,
                status=MethodStatus.PENDING.value,
                idempotency_key=f"abono-save-{method_id}",
                customer_ref=customer_ref,
                label="",
                created_at=clock.now(),
            )
        )
    return_url = f"{settings.payments_public_url.rstrip('/')}/autopay?method={method_id}"
    try:
        setup = await provider.start_saving(
            client_id=client_id,
            email=email,
            customer_ref=customer_ref,
            return_url=return_url,
            idempotency_key=f"abono-save-{method_id}",
        )
    except ProviderError as exc:
        raise ServiceUnavailable(f"{provider_name} could not be reached; try again.") from exc
    async with unit_of_work(sessionmaker) as session:
        row = await MethodRepository(session).get(method_id, for_update=True)
        assert row is not None
        row.customer_ref, row.setup_ref, row.redirect_url = setup.customer_ref, setup.setup_ref, setup.redirect_url
        return SavedMethodPublic.of(row)


async def finish_saving(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    providers: Mapping[str, PaymentProvider],
    clock: Clock,
    client_id: uuid.UUID,
    method_id: uuid.UUID,
) -> SavedMethodPublic:
    """Back from the provider's page: the method, active once the provider says it was saved, failed once the
    provider let the unfinished setup expire (PayPal: no notification says so; asked here, it is never left
    pending for good)."""
    async with unit_of_work(sessionmaker) as session:
        row = await MethodRepository(session).get(method_id, client_id=client_id)
        if row is None:
            raise NotFound("No such saved method.")
        if row.status not in (MethodStatus.PENDING, MethodStatus.FAILED) or row.setup_ref is None:
            return SavedMethodPublic.of(row)
        name, setup_ref = row.provider, row.setup_ref
    expired = False
    try:
        saved = await saver(providers, name).finish_saving(setup_ref=setup_ref)
    except SetupExpired:
        saved, expired = None, True
    except ProviderError as exc:
        raise ServiceUnavailable(f"{name} could not be reached; try again.") from exc
    async with unit_of_work(sessionmaker) as session:
        row = await MethodRepository(session).get(method_id, for_update=True)
        assert row is not None
        if saved is not None and row.status in (MethodStatus.PENDING, MethodStatus.FAILED):
            row.status, row.saved_at = MethodStatus.ACTIVE.value, clock.now()
            row.method_ref, row.customer_ref, row.label = saved.method_ref, saved.customer_ref, saved.label
        elif expired and row.status == MethodStatus.PENDING:
            row.status = MethodStatus.FAILED.value
        return SavedMethodPublic.of(row)


async def remove_method(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    providers: Mapping[str, PaymentProvider],
    clock: Clock,
    client_id: uuid.UUID,
    method_id: uuid.UUID,
) -> None:
    """Removed here at once (auto-pay through it stops), then at the provider (it can no longer be charged)."""
    async with unit_of_work(sessionmaker) as session:
        row = await MethodRepository(session).get(method_id, client_id=client_id, for_update=True)
        if row is None or row.status == MethodStatus.REMOVED:
            raise NotFound("No such saved method.")
        saved = _removed(row, clock)
        await SwitchRepository(session).remove(client_id, method_id=method_id)
    await _forget(providers, saved)


async def stop_autopay(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    providers: Mapping[str, PaymentProvider],
    clock: Clock,
    client_id: uuid.UUID,
) -> None:
    """B-21: auto-pay off at once (a pending charge is skipped when it is sent). A method that is a standing
    agreement at its provider (`forget_when_stopped`: PayPal's vault) is removed and cancelled there too; a card
    stays saved."""
    saved = None
    async with unit_of_work(sessionmaker) as session:
        switch = await SwitchRepository(session).get(client_id)
        if switch is None:
            return
        await SwitchRepository(session).remove(client_id)
        row = await MethodRepository(session).get(switch.method_id, for_update=True)
        provider = providers.get(row.provider) if row is not None else None
        if row is not None and row.status != MethodStatus.REMOVED and isinstance(provider, SavesMethods) and (
            provider.forget_when_stopped
        ):
            saved = _removed(row, clock)
    if saved is not None:
        await _forget(providers, saved)


def _removed(row: SavedPaymentMethod, clock: Clock) -> SavedMethod | None:
    """Mark a method removed; what the provider must forget (None when it never saved it)."""
    was_saved = row.status == MethodStatus.ACTIVE and row.method_ref is not None
    row.status, row.removed_at = MethodStatus.REMOVED.value, clock.now()
    if not was_saved:
        return None
    return SavedMethod(
        provider=row.provider, customer_ref=row.customer_ref or "", method_ref=row.method_ref or "", label=row.label
    )


async def _forget(providers: Mapping[str, PaymentProvider], saved: SavedMethod | None) -> None:
    if saved is None:
        return
    try:
        await saver(providers, saved.provider).forget_method(method=saved)
    except ProviderError as exc:
        raise ServiceUnavailable(f"Removed here; {saved.provider} could not be told yet.") from exc
