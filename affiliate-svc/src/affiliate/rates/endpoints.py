"""Staff: the F-2 commission percentages per product kind (read without a restart, every change audited)."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from abono.auth import StaffPrincipal
from abono.db import SessionDep
from abono.errors import problem_responses
from affiliate.deps import ClockDep, SettingsDep
from affiliate.rates import service

router = APIRouter(prefix="/staff/commission-rates", tags=["commissions"])
Kind = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$",
                           description="A product kind (hosting, domain, vps...), or `default` for every other kind")]


class RateIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"percent": "12.5"}]})

    # A decimal string ("12.5"): exact, never a float; 0 to 100 with at most 3 decimals.
    percent: Annotated[str, StringConstraints(min_length=1, max_length=7, pattern=r"^\d{1,3}(\.\d{1,3})?$")]

    @field_validator("percent")
    @classmethod
    def _at_most_100(cls, value: str) -> str:
        if Decimal(value) > 100:
            raise ValueError("a percentage is at most 100")
        return value


class RatePublic(BaseModel):
    product_kind: str
    percent: Decimal
    source: str  # "staff" (set here) | "setting" (AFFILIATE_COMMISSION_PERCENT*)


@router.get("", summary="Staff: the commission percentage of each product kind with its own, and the default",
            responses=problem_responses(401, 403))
async def rates(_: StaffPrincipal, session: SessionDep, settings: SettingsDep) -> list[RatePublic]:
    """Staff only. The commission percentage in force for each product kind that has its own, and `default` for every
    other kind; `source` says whether staff set it here or it comes from the installation's settings."""
    return [RatePublic(product_kind=k, percent=p, source=s)
            for k, (p, s) in (await service.effective(session, settings)).items()]


@router.put("/{kind}", summary="Staff: set a kind's commission percentage (audited)",
            responses=problem_responses(401, 403, 422))
async def set_rate(kind: Kind, data: RateIn, principal: StaffPrincipal, session: SessionDep, settings: SettingsDep,
                   clock: ClockDep) -> list[RatePublic]:
    """Staff only. Sets the commission percentage of a product kind (or `default`), e.g. `{"percent": "12.5"}`: a
    decimal string from 0 to 100 with at most 3 decimals. Applies to invoices paid from now on, without a restart;
    audited. Returns all the rates in force. 422 on an invalid percentage or kind."""
    await service.set_rate(session=session, kind=kind, percent=Decimal(data.percent), staff_id=principal.user_id,
                           now=clock.now())
    return await rates(principal, session, settings)


@router.delete("/{kind}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Staff: back to the setting's percentage for a kind (audited)",
               responses=problem_responses(401, 403, 404, 422))
async def clear_rate(kind: Kind, principal: StaffPrincipal, session: SessionDep, clock: ClockDep) -> Response:
    """Staff only. Removes the percentage staff set for a kind, which goes back to the installation's setting; audited.
    204 on success, 404 if staff set no percentage for that kind."""
    await service.clear_rate(session=session, kind=kind, staff_id=principal.user_id, now=clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
