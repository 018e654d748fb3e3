"""Registrar actions run by the P-4 worker (provisioning.actions.worker): what each needs (prepare, in the claim
transaction), the registrar call (outside any transaction) and what a done one changes (record transaction).

Kinds: `create` (register, or transfer in with the EPP code), `renew`, `set_nameservers`, `set_contact`, `lock`,
`unlock`, `sync`. A registration waits for the client's registrant data (P-2): `AwaitingClient` parks it without
counting as a failure, and completing the data wakes it."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from abono.crypto import SecretBox
from abono.events import DomainDeleted
from abono.messaging import emit
from provisioning.business_calendar import BusinessCalendar
from provisioning.config import ProvisioningSettings
from provisioning.domains.models import Domain, RegistrantProfile
from provisioning.domains.repository import DomainRepository
from provisioning.drivers.base import Provisioned
from provisioning.instances.lifecycle import Action, State, allows
from provisioning.instances.models import ServiceInstance
from provisioning.instances.repository import ServiceRepository
from provisioning.instances.service import Cause, change_state, complete_activation
from provisioning.registrars.base import Contact, DomainRequest, DomainState, Registrar, RegistrarError, RegistryStatus
from provisioning.registrars.nicar import NO_EPP, is_nic_ar
from provisioning.tasks.repository import TaskRepository
from provisioning.tasks.service import open_task

KINDS = frozenset({"create", "renew", "set_nameservers", "set_contact", "lock", "unlock", "sync"})
AT_REGISTRY_ONLY = frozenset({"suspend", "unsuspend", "terminate", "change_package"})  # D-2: nothing to do
# .ar: what staff do in NIC Argentina's TAD for each action (a task kind each).
TAD_STEPS = {"create": "nic_ar_register", "renew": "nic_ar_renew", "set_nameservers": "nic_ar_delegate",
             "set_contact": "nic_ar_holder"}


class AwaitingStaff(Exception):
    """A `.ar` change waits for staff to do it in NIC Argentina's TAD (its task is open, P-3 deadline)."""


class AwaitingClient(Exception):
    """P-2: the client's registrant data is incomplete (or, D-3, a transfer's EPP code is missing); the registration
    waits for it."""

    def __init__(self, message: str, *, contact: bool = True) -> None:
        super().__init__(message)
        self.contact = contact  # False: what is missing is the EPP code, not the registrant data


@dataclass(frozen=True)
class RegistrarCall:
    kind: str
    name: str
    request: DomainRequest | None = None  # create
    operation: str = "register"
    years: int = 1
    expires_on: date | None = None  # renew: the expiry we renew from
    nameservers: tuple[str, ...] = ()
    contact: Contact | None = None
    customer_ref: str = ""
    invoice_id: uuid.UUID | None = None


def contact_of(profile: RegistrantProfile | None) -> Contact | None:
    """The registrant contact, or None while a required field is missing."""
    if profile is None:
        return None
    contact = Contact(name=profile.name, email=profile.email, address=profile.address, city=profile.city,
                      country=profile.country, postal_code=profile.postal_code, phone_cc=profile.phone_cc,
                      phone=profile.phone, company=profile.company, state=profile.state, tax_id=profile.tax_id)
    required = (contact.name, contact.email, contact.address, contact.city, contact.country, contact.postal_code,
                contact.phone_cc, contact.phone)
    return contact if all(v.strip() for v in required) else None


def nameservers_of(domain: Domain, settings: ProvisioningSettings) -> tuple[str, ...]:
    return tuple(domain.nameservers or settings.domain_provider_nameservers)


async def prepare(session: AsyncSession, *, kind: str, action_id: int, payload: dict[str, Any],
                  service: ServiceInstance, box: SecretBox, settings: ProvisioningSettings,
                  calendar: BusinessCalendar, now: datetime) -> RegistrarCall | None:
    """What the registrar call needs; None: nothing to do at the registry (D-2: no suspension there)."""
    if kind in AT_REGISTRY_ONLY:
        return None
    if kind not in KINDS:
        raise RegistrarError(f"unknown registrar action {kind!r}")
    repo = DomainRepository(session)
    domain = await repo.get(service.id)
    if domain is None:
        raise RegistrarError("the service has no domain name")
    if is_nic_ar(domain.name):
        await _tad_step_done(session, kind=kind, action_id=action_id, payload=payload, service=service,
                             domain=domain, settings=settings, calendar=calendar, now=now)
    base = RegistrarCall(kind=kind, name=domain.name, operation=domain.operation, years=domain.years,
                         nameservers=nameservers_of(domain, settings), customer_ref=str(service.client_id))
    if kind in ("create", "set_contact"):
        contact = contact_of(await repo.profile(service.client_id))
        if contact is None:
            if kind == "create":
                raise AwaitingClient("the client's registrant data is incomplete")
            raise RegistrarError("the client's registrant data is incomplete")
        epp = box.decrypt(domain.epp_code_encrypted) if domain.epp_code_encrypted else None
        if kind == "create" and domain.operation == "transfer" and not epp:
            raise AwaitingClient("the transfer waits for the domain's EPP code", contact=False)
        request = DomainRequest(key=action_id, name=domain.name, years=domain.years, contact=contact,
                                customer_ref=base.customer_ref, nameservers=base.nameservers, epp_code=epp)
        return RegistrarCall(**{**base.__dict__, "request": request, "contact": contact})
    if kind == "renew":
        if domain.expires_on is None:
            raise RegistrarError("the domain's expiry is unknown: sync it first")
        invoice = payload.get("invoice_id")
        years = int(payload.get("years") or domain.years)  # B-11: what the paid renewal invoice billed
        return RegistrarCall(**{**base.__dict__, "expires_on": domain.expires_on, "years": years,
                                "invoice_id": uuid.UUID(invoice) if invoice else None})
    return base


async def _tad_step_done(session: AsyncSession, *, kind: str, action_id: int, payload: dict[str, Any],
                         service: ServiceInstance, domain: Domain, settings: ProvisioningSettings,
                         calendar: BusinessCalendar, now: datetime) -> None:
    """NIC Argentina has no registrar API: a `.ar` registration, renewal, delegation or holder change is a staff
    step in its TAD (one task per action, P-3 deadline); the action waits for the task, then the driver confirms
    the step in NIC's RDAP (a transfer in, a lock: refused, there are none under .ar)."""
    if kind == "create" and domain.operation == "transfer":
        raise RegistrarError(f"{domain.name}: {NO_EPP}")
    if kind not in TAD_STEPS:
        return
    task = await TaskRepository(session).of_action(action_id)
    if task is not None and task.completed_at is not None:
        return
    if task is None:
        contact = contact_of(await DomainRepository(session).profile(service.client_id))
        if kind == "create" and (contact is None or not contact.tax_id):
            raise AwaitingClient("NIC Argentina needs the holder's complete data with its CUIT/CUIL (or NIC id)")
        years = int(payload.get("years") or domain.years)
        holder = f"holder {contact.name} (CUIT/CUIL {contact.tax_id})" if contact else "holder ?"
        detail = {"create": f"{years} year(s), {holder}, DNS {', '.join(nameservers_of(domain, settings))}",
                  "renew": f"{years} year(s) from {domain.expires_on}",
                  "set_nameservers": ", ".join(nameservers_of(domain, settings)),
                  "set_contact": "the client's registrant data"}[kind]
        if kind == "create":
            domain.status, domain.updated_at = "registering", now
        await open_task(session, action_id=action_id, service_id=service.id, client_id=service.client_id,
                        kind=TAD_STEPS[kind], product_name=domain.name, product_kind=service.kind, package=detail,
                        days=settings.nicar_due_business_days, calendar=calendar, now=now)
    raise AwaitingStaff(f"{domain.name}: waiting for staff's TAD step ({TAD_STEPS[kind]})")


async def invoke(registrar: Registrar, call: RegistrarCall) -> DomainState | None:
    if call.kind == "create":
        assert call.request is not None
        if call.operation == "transfer":
            return await registrar.transfer_in(call.request)
        return await registrar.register(call.request)
    if call.kind == "renew":
        assert call.expires_on is not None
        return await registrar.renew(call.name, years=call.years, expires_on=call.expires_on)
    if call.kind == "set_nameservers":
        await registrar.set_nameservers(call.name, call.nameservers)
    elif call.kind == "set_contact":
        assert call.contact is not None
        await registrar.set_contact(call.name, call.contact, customer_ref=call.customer_ref)
    elif call.kind in ("lock", "unlock"):
        await registrar.set_lock(call.name, call.kind == "lock")
    elif call.kind == "sync":
        return await registrar.state(call.name)
    return None


async def park(session: AsyncSession, *, service_id: uuid.UUID, reason: AwaitingClient, now: datetime) -> None:
    """P-2: the registration waits for the client's data ("complete your data" in the panel); a transfer waiting
    for its EPP code stays `pending` (the panel asks for the code, D-3). Only a label: if a client's request holds
    the domain (e.g. sending the EPP code, which then wakes this action), it is left alone rather than waited for,
    since that request waits for this action's row: waiting here would deadlock."""
    domain = await DomainRepository(session).lock_if_free(service_id)
    if domain is not None and domain.status in ("pending", "registering", "awaiting_contact"):
        domain.status, domain.updated_at = ("awaiting_contact" if reason.contact else "pending"), now
        await session.flush()


async def apply(session: AsyncSession, *, service_id: uuid.UUID, call: RegistrarCall, outcome: DomainState | None,
                box: SecretBox, settings: ProvisioningSettings, now: datetime) -> None:
    """What a done registrar action changes here."""
    domain = await DomainRepository(session).lock(service_id)
    if domain is None:
        return
    domain.updated_at = now
    if call.kind == "set_nameservers":
        domain.registry_nameservers = list(call.nameservers)
    elif call.kind in ("lock", "unlock"):
        domain.locked = call.kind == "lock"
    if outcome is not None:
        await _observe(session, domain=domain, state=outcome, box=box, settings=settings, now=now)
    if call.kind == "renew":
        domain.years = call.years  # B-11: the term now billed, shown to the client
    if call.kind == "renew" and call.invoice_id is not None:
        renewal = await DomainRepository(session).record_renewal(service_id=service_id, invoice_id=call.invoice_id,
                                                                 issued_at=None, paid_at=None)
        renewal.renewed_at, renewal.expires_on_after = now, domain.expires_on
    await session.flush()


async def _observe(session: AsyncSession, *, domain: Domain, state: DomainState, box: SecretBox,
                   settings: ProvisioningSettings, now: datetime) -> None:
    """Take in what the registrar says about the domain (after a create, a renewal or a sync)."""
    domain.synced_at = now
    if state.status in (RegistryStatus.DELETED, RegistryStatus.ABSENT) and domain.registrar_order_id:
        await _deleted(session, domain=domain, state=state, now=now)
        return
    if state.status is RegistryStatus.ABSENT:
        raise RegistrarError(f"{domain.name}: the registrar has no such domain")
    domain.registrar_order_id = state.order_id or domain.registrar_order_id
    domain.expires_on = state.expires_on or domain.expires_on
    domain.registry_nameservers = list(state.nameservers)
    domain.locked = state.locked
    if state.status is RegistryStatus.PENDING_TRANSFER:
        domain.status = "transferring"
        domain.sync_due_at = now + timedelta(hours=settings.domain_transfer_sync_hours)
        return
    domain.status = "expired" if state.status is RegistryStatus.EXPIRED else "active"
    domain.sync_due_at = now + timedelta(hours=settings.domain_sync_hours)
    # P-2: registered (or transferred in): the service is active.
    await complete_activation(session, service_id=domain.service_id, provisioned=Provisioned(), box=box,
                              decided_by="driver", now=now, note="D-2 at the registry")


async def _deleted(session: AsyncSession, *, domain: Domain, state: DomainState, now: datetime) -> None:
    """D-2/N-2: the registry deleted it (or it left our account): say so once, end the service."""
    if domain.deleted_at is not None:
        return
    gone = state.status is RegistryStatus.ABSENT
    domain.status, domain.deleted_at, domain.sync_due_at = ("gone" if gone else "deleted"), now, None
    if not gone:
        await emit(session, DomainDeleted(client_id=domain.client_id, domain=domain.name,
                                          service_id=domain.service_id, occurred_at=now,
                                          reason="expired without renewal"))
    service = await ServiceRepository(session).lock(domain.service_id)
    if service is not None and allows(State(service.state), Action.TERMINATE):
        note = "transferred out or removed at the registrar" if gone else "deleted at the registry"
        await change_state(session, service=service, action=Action.TERMINATE,
                           cause=Cause("driver", rule="D-2", note=note), now=now)
