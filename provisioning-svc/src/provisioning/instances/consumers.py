"""Billing's events, applied once each (the inbox) and safe in any order (see `dunning`); issued and cancelled
invoices are also kept to tell whether a service has an unpaid invoice (P-6)."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import (
    DriversRequested,
    InvoiceCancelled,
    InvoiceIssued,
    InvoicePaid,
    ServiceOrdered,
    SuspensionDecided,
    TerminationDecided,
    UpgradeRequested,
)
from abono.messaging.consumer import Consumer
from provisioning.domains import service as domains
from provisioning.drivers.announce import announce
from provisioning.instances import dunning, upgrades
from provisioning.instances.repository import ServiceRepository
from provisioning.instances.service import record_order
from provisioning.invoices.repository import InvoiceRepository
from provisioning.runtime import Runtime


def billing_consumer(runtime: Runtime) -> Consumer:
    """The `provisioning.billing` consumer, bound to the app's runtime (clock, secrets)."""
    consumer = Consumer("billing")

    @consumer.on(ServiceOrdered)
    async def service_ordered(session: AsyncSession, event: ServiceOrdered) -> None:
        await domains.record_order(session, event=event, now=runtime.clock.now())
        await record_order(session, event=event, box=runtime.box, now=runtime.clock.now())

    @consumer.on(InvoicePaid)
    async def invoice_paid(session: AsyncSession, event: InvoicePaid) -> None:
        await dunning.apply_payment(session, event=event, box=runtime.box, now=runtime.clock.now())
        await domains.apply_payment(session, event=event, now=runtime.clock.now())

    @consumer.on_batch(InvoiceIssued)
    async def invoices_issued(session: AsyncSession, events: Sequence[InvoiceIssued]) -> None:
        """Set-based (issue 20: a renewal run's backlog drains a delivery batch at a time, not ~6 round trips an
        event): the clients' locks in one statement, the invoices and their services in two, one read for domains.

        Under the clients' locks: a transfer being accepted (P-6) sees the invoice or completes before it. Nothing
        here relies on the order of a client's events: issued, paid (`settled_invoices`) and cancelled invoices are
        separate facts and "unpaid" is computed from them, and a domain renewal (D-2) is queued by whichever of the
        issue and the payment comes second (`domains.record_renewal_issue` / `apply_payment`)."""
        await ServiceRepository(session).lock_clients(event.client_id for event in events)
        await InvoiceRepository(session).record_issues(events)
        await domains.record_renewal_issues(session, events=events, now=runtime.clock.now())

    @consumer.on(DriversRequested)
    async def drivers_requested(session: AsyncSession, event: DriversRequested) -> None:
        """Billing started and asks what this installation can run (P-4, `abono.events.drivers`)."""
        await announce(session, runtime)

    @consumer.on(InvoiceCancelled)
    async def invoice_cancelled(session: AsyncSession, event: InvoiceCancelled) -> None:
        await dunning.apply_cancellation(session, event=event, now=runtime.clock.now())

    @consumer.on(SuspensionDecided)
    async def suspension_decided(session: AsyncSession, event: SuspensionDecided) -> None:
        await dunning.apply_suspension(session, event=event, now=runtime.clock.now())

    @consumer.on(TerminationDecided)
    async def termination_decided(session: AsyncSession, event: TerminationDecided) -> None:
        await dunning.apply_termination(session, event=event, now=runtime.clock.now())

    @consumer.on(UpgradeRequested)
    async def upgrade_requested(session: AsyncSession, event: UpgradeRequested) -> None:
        await upgrades.record_request(session, event=event, now=runtime.clock.now())

    return consumer
