"""B-14: an upgrade is applied once it is both requested (with its new plan) and paid, in whichever order those
events arrive; the panel's `change_package` runs as a driver action and `UpgradeApplied` follows it."""

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import UpgradeApplied, UpgradeRequested
from abono.messaging import emit
from provisioning.actions.repository import ActionRepository
from provisioning.instances.lifecycle import State
from provisioning.instances.models import Upgrade
from provisioning.instances.repository import ServiceRepository
from provisioning.instances.service import Cause, audit_row


async def record_request(session: AsyncSession, *, event: UpgradeRequested, now: datetime) -> None:
    """Remember what the upgrade changes; apply it if its invoice is already paid."""
    await ServiceRepository(session).lock_client(event.client_id)
    values = {
        "service_id": event.service_id, "to_product_id": event.to_product_id,
        "to_product_code": event.to_product_code, "to_product_name": event.to_product_name,
        "to_driver_settings": event.to_driver_settings, "invoice_id": event.invoice_id, "requested_at": now,
    }
    stmt = insert(Upgrade).values(id=event.upgrade_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=[Upgrade.id], set_=values))
    if await ServiceRepository(session).is_settled(event.invoice_id):
        await mark_paid(session, upgrade_id=event.upgrade_id, invoice_id=event.invoice_id, now=now)
    else:
        await session.flush()


async def mark_paid(session: AsyncSession, *, upgrade_id: uuid.UUID, invoice_id: uuid.UUID, now: datetime) -> None:
    """The upgrade's invoice is paid; apply it if it is already requested."""
    stmt = insert(Upgrade).values(id=upgrade_id, invoice_id=invoice_id, paid_at=now)
    await session.execute(stmt.on_conflict_do_nothing())
    upgrade = await session.get(Upgrade, upgrade_id, with_for_update=True, populate_existing=True)
    assert upgrade is not None
    if upgrade.paid_at is None:
        upgrade.paid_at = now
    await session.flush()
    if upgrade.requested_at is not None and upgrade.applying_at is None:
        await _apply(session, upgrade=upgrade, now=now)


async def _apply(session: AsyncSession, *, upgrade: Upgrade, now: datetime) -> None:
    repo = ServiceRepository(session)
    service = await repo.lock(upgrade.service_id) if upgrade.service_id else None
    if service is None or service.state not in (State.ACTIVE.value, State.SUSPENDED.value):
        return  # not set up yet, or gone: nothing to change on a panel
    upgrade.applying_at = now
    if upgrade.to_product_id:
        service.product_id = upgrade.to_product_id
    service.product_code = upgrade.to_product_code or service.product_code
    service.product_name = upgrade.to_product_name or service.product_name
    service.driver_settings = {**service.driver_settings, **(upgrade.to_driver_settings or {})}
    service.updated_at = now
    cause = Cause("payment", rule="B-14", invoice_id=upgrade.invoice_id, note=f"upgrade {upgrade.id}")
    repo.add_audit(audit_row(service, action="upgrade", from_state=service.state, cause=cause, now=now))
    package = service.driver_settings.get("package")
    if package:
        await ActionRepository(session).add(
            service_id=service.id, kind="change_package", driver=service.driver,
            payload={"upgrade_id": str(upgrade.id), "package": package}, now=now,
        )
        await session.flush()
    else:
        await finish(session, upgrade_id=upgrade.id, now=now)  # no plan on a panel to change


async def finish(session: AsyncSession, *, upgrade_id: uuid.UUID, now: datetime) -> None:
    """The panel runs the new plan: publish `UpgradeApplied` (once)."""
    upgrade = await session.get(Upgrade, upgrade_id, with_for_update=True, populate_existing=True)
    if upgrade is None or upgrade.applied_at is not None or upgrade.service_id is None:
        return
    service = await ServiceRepository(session).get(upgrade.service_id)
    assert service is not None
    upgrade.applied_at = now
    await emit(session, UpgradeApplied(upgrade_id=upgrade.id, service_id=service.id, client_id=service.client_id,
                                       to_product_id=service.product_id, occurred_at=now))
    await session.flush()
