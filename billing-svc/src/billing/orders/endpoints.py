from fastapi import APIRouter

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from billing.deps import ClockDep, SettingsDep, problems
from billing.orders import service
from billing.orders.schemas import OrderPlaced, OrderPreview, OrderRequest

router = APIRouter(prefix="/orders", tags=["orders"])


@router.post("/preview", summary="Price an order: every line with every discount (B-12), nothing created",
             responses=problems(401, 404, 409, 422))
async def preview(body: OrderRequest, principal: CurrentPrincipal, session: SessionDep, clock: ClockDep,
                  settings: SettingsDep) -> OrderPreview:
    return await service.preview_order(session=session, clock=clock, settings=settings, client_id=principal.user_id,
                                       request=body)


@router.post("", status_code=201, summary="Place an order: one invoice, one pending service per unit",
             responses=problems(401, 404, 409, 422))
async def place(body: OrderRequest, principal: CurrentPrincipal, session: SessionDep, clock: ClockDep,
                settings: SettingsDep) -> OrderPlaced:
    return await service.place_order(session=session, clock=clock, settings=settings, client_id=principal.user_id,
                                     request=body)
