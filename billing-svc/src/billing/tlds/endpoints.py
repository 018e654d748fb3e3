from fastapi import APIRouter, Response

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.bounds import CodePath
from abono.db import SessionDep
from abono.money import CurrencyCode
from billing.cycles import Cycle
from billing.deps import problems
from billing.tlds import service
from billing.tlds.schemas import TldPriceIn, TldPublic

router = APIRouter(tags=["catalog"])


@router.get("/catalog/domains", summary="The domain extensions sold, with register, renew and transfer prices per "
            "cycle (years) and currency", responses=problems(401))
async def tld_prices(_: CurrentPrincipal, session: SessionDep) -> list[TldPublic]:
    return await service.price_list(session=session)


@router.put("/staff/catalog/domains/{code}/prices/{cycle}/{currency}", status_code=204,
            summary="Set a domain extension's register, renew and transfer prices (staff)",
            responses=problems(401, 403, 404, 422))
async def set_tld_price(code: CodePath, cycle: Cycle, currency: CurrencyCode, body: TldPriceIn, _: StaffPrincipal,
                        session: SessionDep) -> Response:
    await service.set_price(session=session, code=code, cycle=cycle, currency=currency, body=body)
    return Response(status_code=204)
