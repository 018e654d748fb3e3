"""Domains from billing's events (D-2) and the client's requests (D-3); every registrar call is a P-4 action."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.crypto import SecretBox
from abono.errors import Conflict, InvalidInput
from abono.events import DomainExpiring, InvoiceIssued, InvoiceLineInfo, InvoicePaid, ServiceOrdered
from abono.messaging import emit
from provisioning.actions.repository import ActionRepository
from provisioning.config import ProvisioningSettings
from provisioning.domains.models import Domain
from provisioning.domains.names import normalize
from provisioning.domains.repository import DomainRepository
from provisioning.instances.repository import ServiceRepository
from provisioning.registrars.nicar import NO_EPP, is_nic_ar

DOMAIN_KIND = "domain"
YEARS = {"annual": 1, "biennial": 2}  # C-2 cycles a domain is sold in: years at the registry
REGISTERED = ("active", "expired")  # at the registry: management actions make sense


async def record_order(session: AsyncSession, *, event: ServiceOrdered, now: datetime) -> None:
    """A domain ordered: remember its name and term (once); it is registered when paid (`create`)."""
    if event.kind != DOMAIN_KIND or not event.domain:
        return
    try:
        name = normalize(event.domain)
    except ValueError:
        name = event.domain.strip().lower()  # kept as ordered: the registration fails visibly (P-4)
    await DomainRepository(session).add_once({
        "service_id": event.service_id, "client_id": event.client_id, "name": name,
        "operation": "transfer" if event.driver_settings.get("operation") == "transfer" else "register",
        "status": "pending", "years": YEARS.get(event.cycle, 1), "nameservers": [], "locked": False,
        "registry_nameservers": [], "created_at": now, "updated_at": now,
    })


async def record_renewal_issue(session: AsyncSession, *, event: InvoiceIssued, now: datetime) -> None:
    """D-2: a renewal invoice with a line for a domain renews it at the registry once paid (either order)."""
    if event.kind not in (None, "renewal"):
        return
    repo = DomainRepository(session)
    settled = await ServiceRepository(session).is_settled(event.invoice_id)
    years = _years_of_lines(event.lines)
    for service_id in sorted({line.service_id for line in event.lines if line.service_id is not None}):
        domain = await repo.get(service_id)
        if domain is None or domain.client_id != event.client_id or domain.status not in REGISTERED:
            continue
        renewal = await repo.record_renewal(service_id=service_id, invoice_id=event.invoice_id,
                                            issued_at=event.occurred_at, paid_at=now if settled else None,
                                            years=years.get(service_id))
        if renewal.paid_at is not None and renewal.queued_at is None:
            await _queue(session, service_id=service_id, kind="renew", now=now,
                         payload=_renew_payload(event.invoice_id, renewal.years))
            renewal.queued_at = now
    await session.flush()


async def record_renewal_issues(session: AsyncSession, *, events: Sequence[InvoiceIssued], now: datetime) -> None:
    """`record_renewal_issue` for a batch (issue 20): one read finds the events with a line for a registered domain
    of their own client (few: a renewal run is mostly hosting), and only those go through `record_renewal_issue`;
    for any other it would do nothing."""
    renewals = [event for event in events if event.kind in (None, "renewal")]
    service_ids = {line.service_id for event in renewals for line in event.lines if line.service_id is not None}
    if not service_ids:
        return
    owners = await DomainRepository(session).owners(service_ids, REGISTERED)
    for event in renewals:
        if any(owners.get(line.service_id) == event.client_id for line in event.lines if line.service_id is not None):
            await record_renewal_issue(session, event=event, now=now)


async def apply_payment(session: AsyncSession, *, event: InvoicePaid, now: datetime) -> None:
    """D-2: the paid invoice renews the domains it was issued for, once however often it is delivered."""
    if not may_renew_domains(event):
        return
    years = _years_of_lines(event.lines)
    for renewal in await DomainRepository(session).renewals_of_invoice(event.invoice_id):
        renewal.paid_at = renewal.paid_at or event.paid_at
        renewal.years = renewal.years or years.get(renewal.service_id)
        if renewal.queued_at is None:
            await _queue(session, service_id=renewal.service_id, kind="renew", now=now,
                         payload=_renew_payload(event.invoice_id, renewal.years))
            renewal.queued_at = now
    await session.flush()


def may_renew_domains(event: InvoicePaid) -> bool:
    """Whether the paid invoice can have domain renewals (`record_renewal_issue` records them only for a renewal
    invoice's lines of a registered domain): not when it is another kind of invoice, or when every line is known
    not to be a domain's (issue 20: a hosting payment skips the locking read of its renewals). Lines from older
    publishers (none, or without their product's kind) are read as before."""
    if event.kind not in (None, "renewal"):
        return False
    service_lines = [line for line in event.lines if line.service_id is not None]
    if event.lines and not service_lines:
        return False  # fees only
    return not service_lines or any(line.product_kind in (None, DOMAIN_KIND) for line in service_lines)


def _years_of_lines(lines: list[InvoiceLineInfo]) -> dict[uuid.UUID, int]:
    """B-11: the years each service line bills (its cycle), so a cycle changed by the client (a renewal invoice
    re-issued at the new cycle) renews that many years at the registry, not the term first ordered."""
    return {line.service_id: YEARS[line.cycle] for line in lines
            if line.service_id is not None and line.cycle in YEARS}


def _renew_payload(invoice_id: uuid.UUID, years: int | None) -> dict[str, object]:
    payload: dict[str, object] = {"invoice_id": str(invoice_id)}
    if years is not None:
        payload["years"] = years
    return payload


async def queue_due_syncs(session: AsyncSession, *, settings: ProvisioningSettings, now: datetime,
                          limit: int = 100) -> int:
    """The registrar sync (status, expiry), due every `domain_sync_hours` per domain: safe with any number of
    replicas (rows locked with SKIP LOCKED, the due time cleared when queued, set again when the sync is done)."""
    domains = await DomainRepository(session).claim_sync_due(now=now, limit=limit)
    for domain in domains:
        domain.sync_due_at = None
        await _queue(session, service_id=domain.service_id, kind="sync", now=now, payload={})
    await session.flush()
    return len(domains)


async def send_expiry_notices(session: AsyncSession, *, settings: ProvisioningSettings, today: date,
                              now: datetime, limit: int = 500) -> int:
    """D-2: warn the client before a domain expires, at each threshold of `domain_expiry_notice_days` once (the
    nearest threshold at or above the days left, so a domain first seen 5 days out gets the 7-day notice, not
    three at once); safe with replicas (one row per domain, expiry date and threshold)."""
    thresholds = sorted(d for d in settings.domain_expiry_notice_days if d > 0)
    if not thresholds:
        return 0
    repo, sent = DomainRepository(session), 0
    for domain in await repo.expiring(until=today + timedelta(days=thresholds[-1]), limit=limit):
        assert domain.expires_on is not None
        left = (domain.expires_on - today).days
        threshold = next((t for t in thresholds if t >= left), None)
        if left < 0 or threshold is None:
            continue
        if await repo.note_notice(service_id=domain.service_id, expires_on=domain.expires_on,
                                  days_before=threshold, now=now):
            await emit(session, DomainExpiring(client_id=domain.client_id, domain=domain.name,
                                               service_id=domain.service_id, expires_on=domain.expires_on,
                                               days_before=max(left, 1), occurred_at=now))
            sent += 1
    await session.flush()
    return sent


async def _queue(session: AsyncSession, *, service_id: uuid.UUID, kind: str, now: datetime,
                 payload: dict[str, object]) -> None:
    service = await ServiceRepository(session).get(service_id)
    if service is None:
        return
    await ActionRepository(session).add(service_id=service_id, kind=kind, driver=service.driver, payload=payload,
                                        now=now)


# --- the client's requests (D-3) ------------------------------------------------------------------------------------
def _registered(domain: Domain) -> None:
    if domain.status not in REGISTERED:
        raise Conflict(f"{domain.name} is not registered yet (it is {domain.status.replace('_', ' ')}).")


async def set_nameservers(session: AsyncSession, *, domain: Domain, nameservers: list[str], now: datetime) -> None:
    """The client's name servers (empty: the provider's DNS); sent to the registry if it holds the domain."""
    domain.nameservers, domain.updated_at = nameservers, now
    if domain.status in REGISTERED:
        await _queue(session, service_id=domain.service_id, kind="set_nameservers", now=now, payload={})
    await session.flush()


async def set_lock(session: AsyncSession, *, domain: Domain, locked: bool, now: datetime) -> None:
    _registered(domain)
    if is_nic_ar(domain.name):
        raise InvalidInput(f"{domain.name}: {NO_EPP}.")
    await _queue(session, service_id=domain.service_id, kind="lock" if locked else "unlock", now=now, payload={})
    await session.flush()


async def request_transfer(session: AsyncSession, *, domain: Domain, epp_code: str, box: SecretBox,
                           now: datetime) -> None:
    """D-3 transfer in: the ordered domain is brought from another registrar with its EPP code instead of
    registered; only before the registration started."""
    if is_nic_ar(domain.name):
        raise InvalidInput(f"{domain.name}: {NO_EPP}.")
    if domain.status not in ("pending", "awaiting_contact") or domain.registrar_order_id is not None:
        raise Conflict(f"{domain.name} is already {domain.status.replace('_', ' ')}: it can no longer be "
                       "switched to a transfer.")
    domain.operation, domain.epp_code_encrypted, domain.updated_at = "transfer", box.encrypt(epp_code), now
    await DomainRepository(session).wake_parked([domain.service_id], now=now)
    await session.flush()


async def save_profile(session: AsyncSession, *, client_id: uuid.UUID, values: dict[str, str],
                       now: datetime) -> None:
    """P-2: the registrant data; completing it starts the registrations that waited for it, and a change is sent
    to the registry for every registered domain (D-3: the contacts are the client's)."""
    repo = DomainRepository(session)
    await repo.save_profile(client_id, values, now=now)
    await repo.wake_parked(await repo.awaiting_contact(client_id), now=now)
    for domain in await repo.live_of_client(client_id):
        await _queue(session, service_id=domain.service_id, kind="set_contact", now=now, payload={})
    await session.flush()


def check_epp_allowed(domain: Domain) -> None:
    _registered(domain)
    if is_nic_ar(domain.name):
        raise InvalidInput(f"{domain.name}: {NO_EPP}.")
    if domain.locked:
        raise InvalidInput(f"{domain.name} is locked at the registry: unlock it first, then ask for its code.")
