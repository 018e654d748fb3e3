import uuid

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from abono.errors import NotFound
from abono.money import Money, MoneyModel
from billing.catalog.repository import CatalogRepository
from billing.deps import problems
from billing.subscriptions.models import Subscription
from billing.subscriptions.repository import SubscriptionRepository
from billing.subscriptions.schemas import ServicePublic

router = APIRouter(prefix="/services", tags=["services"])


async def service_public(session: AsyncSession, sub: Subscription) -> ServicePublic:
    catalog = CatalogRepository(session)
    product = await catalog.get(sub.product_id)
    price = await catalog.price(sub.product_id, sub.cycle, sub.currency)
    return ServicePublic(id=sub.id, product_code=sub.product_code, product_name=product.name if product else "",
                         status=sub.status, cycle=sub.cycle, domain=sub.domain, next_due_on=sub.next_due_on,
                         ends_on=sub.ends_on, renew=sub.renew,
                         price=MoneyModel.of(Money(price.amount_minor, sub.currency)) if price else None)


async def owned(session: AsyncSession, client_id: uuid.UUID, service_id: uuid.UUID) -> Subscription:
    """The client's own service, or 404 (another client's service does not exist for it)."""
    sub = await SubscriptionRepository(session).get(service_id)
    if sub is None or sub.client_id != client_id:
        raise NotFound("No such service.")
    return sub


@router.get("", summary="My services with next due date and price", responses=problems(401))
async def my_services(principal: CurrentPrincipal, session: SessionDep) -> list[ServicePublic]:
    """The client's services (hosting, domains, ...) with status, billing cycle, next due date, end date if
    cancelled, renewal switch and current price. Client only."""
    subs = await SubscriptionRepository(session).for_client(principal.user_id)
    return [await service_public(session, s) for s in subs]


@router.get("/{service_id}", summary="One of my services", responses=problems(401, 404))
async def my_service(service_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> ServicePublic:
    """One of the client's services with its status, cycle, next due date, renewal switch and price. Client only;
    another client's service is 404."""
    return await service_public(session, await owned(session, principal.user_id, service_id))
