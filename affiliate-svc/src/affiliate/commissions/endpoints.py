"""F-2 endpoints: the affiliate's ledger, monthly earnings and monthly statement."""

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Response

from abono.auth import CurrentPrincipal
from abono.bounds import OffsetQuery, PageSizeQuery
from abono.db import ReadSessionDep
from abono.errors import problem_responses
from abono.money import Money, MoneyModel
from abono.pdf import render_pdf
from affiliate.commissions.repository import LedgerRepository
from affiliate.deps import SettingsDep
from affiliate.schemas import LedgerEntryPublic, MonthlyEarning, Statement
from affiliate.statements import statement, statement_text
from affiliate.views import ledger_entries

router = APIRouter(tags=["commissions"])
# Years 2000-2099: a statement's month and the next one are real dates (year 0000 was a 500, issue 11).
Month = Annotated[str, Path(min_length=7, max_length=7, pattern=r"^20\d{2}-(0[1-9]|1[0-2])$",
                            description="YYYY-MM (2000-2099)")]


@router.get("/affiliates/me/ledger", summary="My ledger, newest first: commissions with their maturity date, "
            "maturations, reversals, withdrawals", responses=problem_responses(401, 422))
async def my_ledger(principal: CurrentPrincipal, session: ReadSessionDep,
                    limit: PageSizeQuery = 100, offset: OffsetQuery = 0) -> list[LedgerEntryPublic]:
    """An affiliate (any signed-in client with the affiliate account on). Every movement of the caller's balance, newest
    first: commissions with the date they mature and become available, maturations, reversals (refunded invoices) and
    withdrawals. Paged with `limit` and `offset`."""
    entries = await LedgerRepository(session).entries(principal.user_id, limit=limit, offset=offset)
    return await ledger_entries(session, entries)


@router.get("/affiliates/me/monthly", summary="My net commissions per month and currency (for a chart)",
            responses=problem_responses(401))
async def my_monthly(principal: CurrentPrincipal, session: ReadSessionDep,
                     settings: SettingsDep) -> list[MonthlyEarning]:
    """An affiliate. The caller's commissions net of reversals per calendar month (in the business time zone) and
    currency, oldest first, ready for a chart. Empty if there are none yet."""
    rows = await LedgerRepository(session).monthly_commissions(principal.user_id, settings.calendar_timezone)
    return [MonthlyEarning(month=m, earned=MoneyModel.of(Money(t, c))) for m, c, t in rows]


def _start(month: str, tz: str) -> datetime:
    return datetime.strptime(month + "-01", "%Y-%m-%d").replace(tzinfo=ZoneInfo(tz))


@router.get("/affiliates/me/statements/{month}", summary="My statement of a calendar month",
            responses=problem_responses(401, 422))
async def my_statement(month: Month, principal: CurrentPrincipal, session: ReadSessionDep,
                       settings: SettingsDep) -> Statement:
    """An affiliate. The caller's statement of one calendar month, e.g. `/affiliates/me/statements/2026-05`: per
    currency the opening balance, commissions, reversals, withdrawals and closing balance, and the month's ledger
    entries. 422 if the month is not `YYYY-MM`."""
    return await statement(session, principal.user_id, month, _start(month, settings.calendar_timezone))


@router.get("/affiliates/me/statements/{month}/pdf", summary="My statement of a calendar month, as a PDF",
            responses={200: {"content": {"application/pdf": {}}}, **problem_responses(401, 422)})
async def my_statement_pdf(month: Month, principal: CurrentPrincipal, session: ReadSessionDep,
                           settings: SettingsDep) -> Response:
    """An affiliate. The same statement as a PDF download (`afiliado-YYYY-MM.pdf`). 422 if the month is not
    `YYYY-MM`."""
    found = await statement(session, principal.user_id, month, _start(month, settings.calendar_timezone))
    return Response(render_pdf(statement_text(found)), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="afiliado-{month}.pdf"'})
