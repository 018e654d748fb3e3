"""P-3: staff tasks for manual products, with deadlines in business days; completing a create task activates."""

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.business_days import load_business_days
from abono.crypto import SecretBox
from abono.errors import Conflict, NotFound
from abono.events import SiteMigrated
from abono.messaging import emit
from provisioning.business_calendar import BusinessCalendar
from provisioning.config import ProvisioningSettings
from provisioning.drivers.base import Provisioned
from provisioning.instances import service as instances
from provisioning.instances.repository import ServiceRepository
from provisioning.tasks.models import StaffTask
from provisioning.tasks.repository import TaskRepository

TITLES = {
    "create": "Set up {product} for the client",
    "suspend": "Suspend {product} (automatic dunning decision)",
    "unsuspend": "Restore {product} (the client paid)",
    "terminate": "Remove {product} (terminated)",
    "change_package": "Move {product} to plan {package}",
    # .ar domains: NIC Argentina has no registrar API; staff act in its TAD as the client's representative.
    "nic_ar_register": "NIC Argentina (TAD): register {product}: {package}",
    "nic_ar_renew": "NIC Argentina (TAD): renew {product}: {package}",
    "nic_ar_delegate": "NIC Argentina (TAD): delegate {product} to {package}",
    "nic_ar_holder": "NIC Argentina (TAD): update the holder of {product} with {package}",
    # P-8: a client asked us to move its site from its old server (no driver action behind it).
    "migrate": "Migrate the client's site into {product}: {package}",
}


def due_business_days(*, settings: ProvisioningSettings, kind: str, product_code: str, product_kind: str,
                      driver_settings: dict[str, object]) -> int:
    """P-3 deadline: the product's own `due_business_days`, else the configured days of its code or kind."""
    if kind != "create":
        return settings.manual_followup_due_business_days
    override = driver_settings.get("due_business_days")
    if isinstance(override, int) and override >= 0:
        return override
    table = settings.manual_due_business_days
    return table.get(product_code, table.get(product_kind, settings.manual_default_due_business_days))


async def open_task(
    session: AsyncSession, *, action_id: int, service_id: uuid.UUID, client_id: uuid.UUID, kind: str,
    product_name: str, product_kind: str, package: str | None, days: int, calendar: BusinessCalendar,
    now: datetime,
) -> None:
    """Open the staff task of one driver action (once, however often the action is retried); its deadline counts the
    business days of the operator's calendar (the public holidays and support's overrides)."""
    business_days = await load_business_days(session, calendar.country)
    await TaskRepository(session).add_once({
        "id": uuid.uuid4(), "action_id": action_id, "service_id": service_id, "client_id": client_id,
        "kind": kind, "title": TITLES[kind].format(product=product_name, package=package or "?"),
        "product_kind": product_kind, "opened_at": now,
        "due_on": business_days.add(calendar.local_date(now), days),
    })
    await session.flush()


async def open_request_task(
    session: AsyncSession, *, service_id: uuid.UUID, client_id: uuid.UUID, kind: str, product_name: str,
    product_kind: str, subject: str | None, days: int, calendar: BusinessCalendar, now: datetime,
) -> StaffTask:
    """Open a staff task a client's request asks for (no driver action behind it), due in `days` business days."""
    task = StaffTask(
        id=uuid.uuid4(), action_id=None, service_id=service_id, client_id=client_id, kind=kind,
        title=TITLES[kind].format(product=product_name, package=subject or "?"), product_kind=product_kind,
        opened_at=now, due_on=calendar.add_business_days(calendar.local_date(now), days),
    )
    TaskRepository(session).add(task)
    await session.flush()
    return task


async def list_tasks(session: AsyncSession, *, open_only: bool, overdue_on: date | None,
                     limit: int) -> list[StaffTask]:
    """Tasks by due date; `overdue_on`: only the open ones due before that day."""
    return await TaskRepository(session).search(open_only=open_only, overdue_before=overdue_on, limit=limit)


async def complete_task(
    session: AsyncSession, *, task_id: uuid.UUID, staff_id: uuid.UUID, note: str | None,
    access: Provisioned | None, box: SecretBox, now: datetime,
) -> StaffTask:
    """Mark a task done; a create task activates its service with the access data staff entered; a finished site
    migration (P-8) is told to the client."""
    task = await TaskRepository(session).get_for_update(task_id)
    if task is None:
        raise NotFound("No such task.")
    if task.completed_at is not None:
        raise Conflict("This task is already completed.")
    task.completed_at, task.completed_by, task.note = now, staff_id, note
    await session.flush()
    if task.kind == "create":
        await instances.complete_activation(
            session, service_id=task.service_id, provisioned=access or Provisioned(), box=box, decided_by="staff",
            actor_id=staff_id, note=f"manual task {task.id} completed", now=now,
        )
    elif task.kind == "migrate":
        service = await ServiceRepository(session).get(task.service_id)
        if service is not None:
            await emit(session, SiteMigrated(client_id=task.client_id, service_id=task.service_id,
                                             product_name=service.product_name, domain=service.domain,
                                             occurred_at=now))
    return task
