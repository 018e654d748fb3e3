"""Billing follows provisioning's P-6 transfers: the subscription is invoiced to its new owner from then on."""

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import ServiceTransferred
from abono.messaging.consumer import Consumer
from billing.audit.repository import AuditRepository
from billing.catalog.repository import CatalogRepository
from billing.clients.repository import ClientRepository
from billing.subscriptions.repository import SubscriptionRepository

log = structlog.get_logger("billing.subscriptions")
consumer = Consumer("transfers")


@consumer.on(ServiceTransferred)
async def service_transferred(session: AsyncSession, event: ServiceTransferred) -> None:
    """P-6: the next invoices go to the new owner, in its currency where the product has a price in it (B-20).

    Provisioning only transfers a service with nothing unpaid, so no open invoice has to move with it."""
    found = await SubscriptionRepository(session).many([event.service_id], for_update=True)
    if not found or found[0].client_id != event.from_client_id:
        log.warning("transfer_not_applicable", service_id=str(event.service_id), event_id=str(event.event_id))
        return
    sub = found[0]
    sub.client_id, sub.updated_at = event.to_client_id, event.occurred_at
    new_owner = await ClientRepository(session).get(event.to_client_id)
    if (new_owner is not None and new_owner.currency != sub.currency
            and await CatalogRepository(session).price(sub.product_id, sub.cycle, new_owner.currency) is not None):
        sub.currency = new_owner.currency
    await AuditRepository(session).add(
        actor_id=event.to_client_id, action="service_transferred", target_type="subscription", target_id=sub.id,
        at=event.occurred_at, details={"from_client_id": str(event.from_client_id),
                                       "transfer_id": str(event.transfer_id), "currency": sub.currency})
