from fastapi import APIRouter, Response

from abono.auth import AdminPrincipal, CurrentPrincipal
from abono.bounds import CodePath
from abono.db import SessionDep
from abono.money import CurrencyCode
from billing.cycles import Cycle
from billing.deps import ClockDep, problems
from billing.tlds import service
from billing.tlds.schemas import TldPriceIn, TldPublic

router = APIRouter(tags=["catalog"])


@router.get("/catalog/domains", summary="The domain extensions sold, with register, renew and transfer prices per "
            "cycle (years) and currency", responses=problems(401))
async def tld_prices(_: CurrentPrincipal, session: SessionDep) -> list[TldPublic]:
    """The domain extensions on sale (e.g. `.com`), each with its register, renew and transfer prices per cycle in
    years and currency, in minor units. Any signed-in client."""
    return await service.price_list(session=session)


@router.put("/staff/catalog/domains/{code}/prices/{cycle}/{currency}", status_code=204,
            summary="Set a domain extension's register, renew and transfer prices (admins)",
            responses=problems(401, 403, 404, 422))
async def set_tld_price(code: CodePath, cycle: Cycle, currency: CurrencyCode, body: TldPriceIn, actor: AdminPrincipal,
                        session: SessionDep, clock: ClockDep) -> Response:
    """Sets (creates or replaces) a domain extension's register, renew and transfer prices for one cycle (years) and
    currency, in minor units. The renew price is the product's catalog price of that cycle, so it changes there too:
    new orders pay the new prices at once, renewals not yet invoiced renew at the new one, issued invoices keep
    theirs. Admins only (403 for staff and clients); each change is kept in the audit log with the prices before and
    after (`GET /staff/catalog/history`), and setting the same prices again changes nothing. 404 for an unknown
    extension; 422 for a cycle that is not whole years or not sold, or an invalid amount or currency, nothing
    changed. Answers 204 with no body."""
    await service.set_price(session=session, clock=clock, actor=actor, code=code, cycle=cycle, currency=currency,
                            body=body)
    return Response(status_code=204)
