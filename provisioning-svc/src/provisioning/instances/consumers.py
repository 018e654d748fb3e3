"""Billing's events, applied once each (the inbox) and safe in any order (see `dunning`)."""

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import InvoicePaid, ServiceOrdered, SuspensionDecided, TerminationDecided, UpgradeRequested
from abono.messaging.consumer import Consumer
from provisioning.instances import dunning, upgrades
from provisioning.instances.service import record_order
from provisioning.runtime import Runtime


def billing_consumer(runtime: Runtime) -> Consumer:
    """The `provisioning.billing` consumer, bound to the app's runtime (clock, secrets)."""
    consumer = Consumer("billing")

    @consumer.on(ServiceOrdered)
    async def service_ordered(session: AsyncSession, event: ServiceOrdered) -> None:
        await record_order(session, event=event, box=runtime.box, now=runtime.clock.now())

    @consumer.on(InvoicePaid)
    async def invoice_paid(session: AsyncSession, event: InvoicePaid) -> None:
        await dunning.apply_payment(session, event=event, box=runtime.box, now=runtime.clock.now())

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
