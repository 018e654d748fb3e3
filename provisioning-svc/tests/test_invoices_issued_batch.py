"""`InvoiceIssued` applied a delivery batch at a time (issue 20, `Consumer.on_batch`): the same facts as one event at a
time. Each invoice is remembered once with the services its lines name and whether a line names none (P-6's "no
unpaid invoice"), redelivered or repeated in the batch; a renewal invoice with a line for a registered domain of the
same client is recorded for D-2 (paid at once if billing's payment came first), and no other."""

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.events import InvoiceIssued, InvoiceLineInfo
from provisioning.domains.models import DomainRenewal
from provisioning.domains.repository import DomainRepository
from provisioning.instances.consumers import billing_consumer
from provisioning.instances.repository import ServiceRepository
from provisioning.invoices.models import InvoiceService, IssuedInvoice
from provisioning.runtime import Runtime


def invoice(client_id: uuid.UUID, *service_ids: uuid.UUID | None, kind: str | None = "renewal") -> InvoiceIssued:
    return InvoiceIssued(
        invoice_id=uuid.uuid4(), client_id=client_id, number=f"F-{uuid.uuid4().hex[:6]}", payment_reference="R",
        total={"amount_minor": 1000 * len(service_ids), "currency": "USD"}, due_on=date.today(), kind=kind,
        lines=[InvoiceLineInfo(description="line", amount={"amount_minor": 1000, "currency": "USD"},
                               service_id=service_id, cycle="annual") for service_id in service_ids])


async def add_domain(session: AsyncSession, client_id: uuid.UUID, status: str) -> uuid.UUID:
    service_id, now = uuid.uuid4(), datetime.now(UTC)
    await DomainRepository(session).add_once({
        "service_id": service_id, "client_id": client_id, "name": f"{service_id.hex[:10]}.com", "operation": "register",
        "status": status, "years": 1, "nameservers": [], "locked": False, "registry_nameservers": [],
        "created_at": now, "updated_at": now})  # fmt: skip
    return service_id


async def test_a_batch_of_issued_invoices_records_what_each_event_would(
    runtime: Runtime, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    h1, h2, h3, h4 = (uuid.uuid4() for _ in range(4))
    async with sessionmaker() as session, session.begin():
        mine = await add_domain(session, a, "active")
        theirs = await add_domain(session, b, "active")
        pending = await add_domain(session, a, "pending")
    hosting = invoice(a, h1, h2)
    bundle = invoice(a, None, h3)  # a line naming no service
    other_client = invoice(b, h4, kind="order")
    renewal = invoice(a, mine)
    paid_first = invoice(a, mine)  # billing's payment was applied before its issue arrived
    not_their_client = invoice(a, theirs)  # the domain is b's: no renewal for a's invoice
    not_registered = invoice(a, pending)
    events = [hosting, bundle, other_client, renewal, paid_first, not_their_client, not_registered, hosting]
    async with sessionmaker() as session, session.begin():
        await ServiceRepository(session).settle_and_release(invoice_id=paid_first.invoice_id, client_id=a,
                                                            paid_at=datetime.now(UTC), event_id=uuid.uuid4(),
                                                            now=datetime.now(UTC))

    handler = billing_consumer(runtime).batch_handler(InvoiceIssued.routing_key)
    assert handler is not None
    async with sessionmaker() as session, session.begin():
        await handler(session, events)
    async with sessionmaker() as session, session.begin():  # delivered again, in another batch
        await handler(session, events[:3])

    ids = {event.invoice_id for event in events}
    async with sessionmaker() as session:
        issued = {row.invoice_id: row for row in await session.scalars(
            select(IssuedInvoice).where(IssuedInvoice.invoice_id.in_(ids)))}
        links = {(invoice_id, service_id) for invoice_id, service_id in await session.execute(
            select(InvoiceService.invoice_id, InvoiceService.service_id).where(InvoiceService.invoice_id.in_(ids)))}
        renewals = list(await session.scalars(select(DomainRenewal).where(DomainRenewal.invoice_id.in_(ids))))

    assert set(issued) == ids
    assert {i for i, row in issued.items() if row.has_unattributed_lines} == {bundle.invoice_id}
    assert (issued[other_client.invoice_id].client_id, issued[hosting.invoice_id].number) == (b, hosting.number)
    assert links == {(hosting.invoice_id, h1), (hosting.invoice_id, h2), (bundle.invoice_id, h3),
                     (other_client.invoice_id, h4), (renewal.invoice_id, mine), (paid_first.invoice_id, mine),
                     (not_their_client.invoice_id, theirs), (not_registered.invoice_id, pending)}
    by_invoice = {r.invoice_id: r for r in renewals}
    assert set(by_invoice) == {renewal.invoice_id, paid_first.invoice_id}  # D-2, the client's registered domain
    assert by_invoice[renewal.invoice_id].paid_at is None and by_invoice[renewal.invoice_id].queued_at is None
    assert by_invoice[paid_first.invoice_id].paid_at is not None  # renewed once queued (D-2, either order)
    assert by_invoice[paid_first.invoice_id].queued_at is not None
