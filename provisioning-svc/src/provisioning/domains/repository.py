import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, Uuid, any_, bindparam, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from provisioning.actions.models import DriverAction
from provisioning.actions.repository import wake_worker_at_commit
from provisioning.domains.models import Domain, DomainNotice, DomainRenewal, RegistrantProfile

LIVE = ("registering", "transferring", "active", "expired")  # at the registry (or on its way there)


class DomainRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_once(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(Domain).values(**values).on_conflict_do_nothing())

    async def get(self, service_id: uuid.UUID) -> Domain | None:
        return await self.session.get(Domain, service_id)

    async def lock(self, service_id: uuid.UUID) -> Domain | None:
        return await self.session.get(Domain, service_id, with_for_update=True, populate_existing=True)

    async def many(self, service_ids: set[uuid.UUID]) -> dict[uuid.UUID, Domain]:
        if not service_ids:
            return {}
        rows = await self.session.scalars(select(Domain).where(Domain.service_id.in_(service_ids)))
        return {d.service_id: d for d in rows}

    async def owners(self, service_ids: Iterable[uuid.UUID], statuses: Sequence[str]) -> dict[uuid.UUID, uuid.UUID]:
        """The client of each of these services that is a domain in one of `statuses` (one statement)."""
        query = (select(Domain.service_id, Domain.client_id)
                 .where(Domain.service_id == any_(bindparam("ids", type_=ARRAY(Uuid))), Domain.status.in_(statuses)))
        rows = await self.session.execute(query, {"ids": list(service_ids)})
        return {service_id: client_id for service_id, client_id in rows}

    async def lock_if_free(self, service_id: uuid.UUID) -> Domain | None:
        """The domain locked, or None if another transaction holds it (SKIP LOCKED: never waits)."""
        query = (select(Domain).where(Domain.service_id == service_id)
                 .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        return (await self.session.scalars(query)).first()

    async def of_client(self, client_id: uuid.UUID) -> list[Domain]:
        query = select(Domain).where(Domain.client_id == client_id).order_by(Domain.name)
        return list((await self.session.scalars(query)).all())

    async def by_expiry(self, *, until: date | None, limit: int) -> list[Domain]:
        """Domains at the registry, soonest expiry first (staff)."""
        query = select(Domain).where(Domain.status.in_(LIVE), Domain.expires_on.is_not(None))
        if until is not None:
            query = query.where(Domain.expires_on <= until)
        return list((await self.session.scalars(query.order_by(Domain.expires_on, Domain.name).limit(limit))).all())

    async def claim_sync_due(self, *, now: datetime, limit: int) -> list[Domain]:
        """Domains whose sync is due and that have no registrar action waiting, locked for this replica only."""
        waiting = exists().where(DriverAction.service_id == Domain.service_id, DriverAction.status == "pending")
        query = (select(Domain).where(Domain.sync_due_at <= now, ~waiting).order_by(Domain.sync_due_at)
                 .limit(limit).with_for_update(of=Domain, skip_locked=True))
        return list((await self.session.scalars(query)).all())

    async def awaiting_contact(self, client_id: uuid.UUID) -> list[uuid.UUID]:
        query = select(Domain.service_id).where(Domain.client_id == client_id, Domain.status == "awaiting_contact")
        return list((await self.session.scalars(query)).all())

    async def live_of_client(self, client_id: uuid.UUID) -> list[Domain]:
        query = select(Domain).where(Domain.client_id == client_id, Domain.status.in_(("active", "expired")))
        return list((await self.session.scalars(query)).all())

    async def expiring(self, *, until: date, limit: int) -> list[Domain]:
        """Active domains expiring by `until` with no renewal paid and waiting for the registry."""
        renewing = exists().where(DomainRenewal.service_id == Domain.service_id, DomainRenewal.paid_at.is_not(None),
                                  DomainRenewal.renewed_at.is_(None))
        query = (select(Domain).where(Domain.status == "active", Domain.expires_on <= until, ~renewing)
                 .order_by(Domain.expires_on).limit(limit))
        return list((await self.session.scalars(query)).all())

    async def note_notice(self, *, service_id: uuid.UUID, expires_on: date, days_before: int, now: datetime) -> bool:
        """Record a notice; False if it was already sent (by this or another replica)."""
        stmt = (insert(DomainNotice)
                .values(service_id=service_id, expires_on=expires_on, days_before=days_before, sent_at=now)
                .on_conflict_do_nothing().returning(DomainNotice.service_id))
        return (await self.session.execute(stmt)).first() is not None

    # --- renewals ---
    async def record_renewal(self, *, service_id: uuid.UUID, invoice_id: uuid.UUID, issued_at: datetime | None,
                             paid_at: datetime | None, years: int | None = None) -> DomainRenewal:
        """Note that the invoice renews the domain (issued, paid, or both); the row locked."""
        values: dict[str, Any] = {"service_id": service_id, "invoice_id": invoice_id}
        stmt = insert(DomainRenewal).values(**values, issued_at=issued_at, paid_at=paid_at, years=years)
        await self.session.execute(stmt.on_conflict_do_nothing())
        renewal = await self.session.get(DomainRenewal, (service_id, invoice_id), with_for_update=True,
                                         populate_existing=True)
        assert renewal is not None
        renewal.issued_at = renewal.issued_at or issued_at
        renewal.paid_at = renewal.paid_at or paid_at
        renewal.years = renewal.years or years
        return renewal

    async def renewals_of_invoice(self, invoice_id: uuid.UUID) -> list[DomainRenewal]:
        query = select(DomainRenewal).where(DomainRenewal.invoice_id == invoice_id).with_for_update()
        return list((await self.session.scalars(query)).all())

    async def oldest_unrenewed(self, service_id: uuid.UUID) -> DomainRenewal | None:
        query = (select(DomainRenewal)
                 .where(DomainRenewal.service_id == service_id, DomainRenewal.queued_at.is_not(None),
                        DomainRenewal.renewed_at.is_(None))
                 .order_by(DomainRenewal.queued_at).limit(1).with_for_update())
        return (await self.session.scalars(query)).first()

    # --- registrant profile ---
    async def profile(self, client_id: uuid.UUID) -> RegistrantProfile | None:
        return await self.session.get(RegistrantProfile, client_id)

    async def save_profile(self, client_id: uuid.UUID, values: dict[str, Any], *, now: datetime) -> None:
        stmt = insert(RegistrantProfile).values(client_id=client_id, updated_at=now, **values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[RegistrantProfile.client_id], set_={**values, "updated_at": now}))

    async def wake_parked(self, service_ids: list[uuid.UUID], *, now: datetime) -> None:
        """Bring forward the parked registrations of these domains (the client completed its data)."""
        if service_ids:
            await self.session.execute(
                update(DriverAction)
                .where(DriverAction.service_id.in_(service_ids), DriverAction.status == "pending",
                       DriverAction.kind == "create")
                .values(next_attempt_at=now))
            wake_worker_at_commit(self.session)
