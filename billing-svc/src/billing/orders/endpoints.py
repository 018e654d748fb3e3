from fastapi import APIRouter

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from billing.deps import ClockDep, SettingsDep, problems
from billing.orders import service
from billing.orders.schemas import OrderPlaced, OrderPreview, OrderRequest

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("/preview", summary="Price an order: every line with every discount, nothing created",
             description="The same answer `POST /orders` would give, without placing it: each line's price in the "
             "client's currency, the discounts that apply (cycle, number of services, payment method, bundle, "
             "coupon) and those withheld with the reason, and the total. A product the provider cannot set up at "
             "the moment is refused with 409 `driver-not-configured`.",
             responses=problems(401, 404, 409, 422))
async def preview(body: OrderRequest, principal: CurrentPrincipal, session: SessionDep, clock: ClockDep,
                  settings: SettingsDep) -> OrderPreview:
    return await service.preview_order(session=session, clock=clock, settings=settings, client_id=principal.user_id,
                                       request=body)


@router.post("", status_code=201, summary="Place an order: one invoice, one pending service per unit",
             description="Issues one invoice for everything ordered and creates each service as `pending`; the "
             "services are set up once the invoice is paid (`POST /invoices/{id}/pay`). A domain line names its "
             "`domain` (with `transfer: true` to bring it from another registrar). 409 `driver-not-configured`: the "
             "provider cannot set up that product at the moment, nothing was created.",
             responses=problems(401, 404, 409, 422))
async def place(body: OrderRequest, principal: CurrentPrincipal, session: SessionDep, clock: ClockDep,
                settings: SettingsDep) -> OrderPlaced:
    return await service.place_order(session=session, clock=clock, settings=settings, client_id=principal.user_id,
                                     request=body)
