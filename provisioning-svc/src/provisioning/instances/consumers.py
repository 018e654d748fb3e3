"""Billing's events, applied once each (the inbox) and safe in any order (see `dunning`); issued and cancelled
invoices are also kept to tell whether a service has an unpaid invoice (P-6)."""

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import (
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

    @consumer.on(InvoiceIssued)
    async def invoice_issued(session: AsyncSession, event: InvoiceIssued) -> None:
        # Under the client's lock: a transfer being accepted (P-6) sees the invoice or completes before it.
        await ServiceRepository(session).lock_client(event.client_id)
        await InvoiceRepository(session).record_issue(event)
        await domains.record_renewal_issue(session, event=event, now=runtime.clock.now())

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
