"""F-1 endpoints: the public referral link, the client's affiliate account, staff's affiliates and held
attributions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import RedirectResponse

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.bounds import OffsetQuery, PageSizeQuery
from abono.db import ReadSessionDep, SessionDep
from abono.errors import NotFound, problem_responses
from abono.events.catalog import REFERRAL_VISIT_COOKIE
from affiliate.commissions import service as commissions
from affiliate.commissions.repository import LedgerRepository
from affiliate.deps import AddressDep, ClockDep, SettingsDep
from affiliate.referrals import service
from affiliate.referrals.models import AttributionStatus
from affiliate.referrals.repository import ReferralRepository
from affiliate.schemas import AffiliatePublic, AffiliateSummary, AttributionPublic, Decision, MyReferral
from affiliate.views import affiliate_public, summary

router = APIRouter(tags=["affiliates"])
Code = Annotated[str, Path(min_length=12, max_length=12, pattern=r"^[0-9A-Fa-f]{12}$",
                           description="The affiliate's referral code")]


@router.get("/r/{code}", status_code=status.HTTP_302_FOUND, response_class=RedirectResponse,
            summary="A referral link (public, no login): records "
            "the visit, sets the 90-day cookie and leads to the sign-up",
            responses={302: {"description": "To the panel's sign-up"}, **problem_responses(422)})
async def visit(code: Code, request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep,
                address: AddressDep) -> Response:
    """Public, no login: the link an affiliate shares. Counts the visit and sets a cookie that attributes a sign-up from
    this browser to the affiliate for 90 days, then redirects (302) to the panel's sign-up. An unknown code still
    redirects, without the cookie. Never cached."""
    found = await service.record_visit(session=session, settings=settings, code=code, now=clock.now(),
                                       address=address)
    response = RedirectResponse(settings.signup_url, status_code=status.HTTP_302_FOUND)
    if found is not None:
        secure = request.headers.get("x-forwarded-proto", request.url.scheme) == "https"
        response.set_cookie(REFERRAL_VISIT_COOKIE, str(found.id), max_age=settings.attribution_window_days * 86_400,
                            path="/", httponly=True, samesite="lax", secure=secure)
    response.headers["Cache-Control"] = "no-store"  # every visit must reach us to be counted
    return response


@router.post("/affiliates/me", status_code=status.HTTP_201_CREATED,
             summary="Turn my affiliate account on and get my referral link; 200 if it was on",
             responses={200: {"description": "Already on"}, **problem_responses(401)})
async def activate(principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep, clock: ClockDep,
                   address: AddressDep, response: Response) -> AffiliatePublic:
    """Any signed-in client. Turns the caller's affiliate account on and returns its referral code and link: 201 the
    first time, 200 with the same account afterwards (safe to repeat)."""
    affiliate, created = await service.activate(session=session, settings=settings, client_id=principal.user_id,
                                                now=clock.now(), address=address)
    if not created:
        response.status_code = status.HTTP_200_OK
    return affiliate_public(settings, affiliate)


@router.get("/affiliates/me", summary="My affiliate account: link, visits, sign-ups, conversions, balances",
            responses=problem_responses(401, 404))
async def my_affiliate(principal: CurrentPrincipal, session: ReadSessionDep,
                       settings: SettingsDep) -> AffiliateSummary:
    """An affiliate. The caller's referral link, link visits, sign-ups and paying clients, sign-ups held for staff's
    review, and its balances per currency (pending until they mature, and available to withdraw). 404 if the affiliate
    account is not on yet."""
    affiliate = await ReferralRepository(session).affiliate(principal.user_id)
    if affiliate is None:
        raise NotFound("Your affiliate account is not on: POST /affiliates/me turns it on.")
    return await summary(session, settings, affiliate)


@router.get("/affiliates/me/referrals", summary="My sign-ups (no personal data of the referred clients)",
            responses=problem_responses(401))
async def my_referrals(principal: CurrentPrincipal, session: ReadSessionDep) -> list[MyReferral]:
    """An affiliate. The clients who signed up through the caller's link: when, whether by link or by code, the
    attribution's status and whether they have paid. No names or e-mails of the referred clients are shown."""
    converted = await LedgerRepository(session).converted_clients(principal.user_id)
    return [MyReferral(signed_up_at=a.signed_up_at, source=a.source, status=a.status,
                       converted=a.client_id in converted)
            for a in await ReferralRepository(session).attributions_of(principal.user_id)]


@router.get("/staff/affiliates", summary="Staff: affiliates with their figures and balances",
            responses=problem_responses(401, 403))
async def staff_affiliates(_: StaffPrincipal, session: ReadSessionDep, settings: SettingsDep,
                           limit: PageSizeQuery = 100, offset: OffsetQuery = 0) -> list[AffiliateSummary]:
    """Staff only. Every affiliate with its visits, sign-ups, conversions and balances, paged with `limit` and
    `offset`."""
    return [await summary(session, settings, a)
            for a in await ReferralRepository(session).affiliates(limit=limit, offset=offset)]


@router.get("/staff/attributions", summary="Staff: attributions (status=held: the suspicious ones to decide)",
            responses=problem_responses(401, 403, 422))
async def staff_attributions(_: StaffPrincipal, session: ReadSessionDep, status: AttributionStatus | None = None,
                             limit: PageSizeQuery = 100, offset: OffsetQuery = 0) -> list[AttributionPublic]:
    """Staff only. Which affiliate each referred client is attributed to; `status=held` lists the suspicious ones
    waiting for a decision (e.g. the visit came from the affiliate's own address, or the same e-mail domain). Paged with
    `limit` and `offset`; 422 on an unknown status."""
    rows = await ReferralRepository(session).attributions(status=status.value if status else None, limit=limit,
                                                          offset=offset)
    return [AttributionPublic.model_validate(a) for a in rows]


@router.post("/staff/attributions/{client_id}/approve",
             summary="Staff: approve a held attribution; what the client paid meanwhile earns its commission",
             responses=problem_responses(401, 403, 404, 409))
async def approve(client_id: uuid.UUID, data: Decision, principal: StaffPrincipal, session: SessionDep,
                  settings: SettingsDep, clock: ClockDep) -> AttributionPublic:
    """Staff only. Approves a held attribution of the client: commissions are earned from then on, and for the invoices
    the client already paid while it was held, and the attribution is published as for any sign-up. Audited with the
    optional `reason`. 404 if the client has no attribution, 409 if it is not held."""
    attribution = await service.decide_held(session=session, client_id=client_id, approve=True, reason=data.reason,
                                            staff_id=principal.user_id, now=clock.now())
    await commissions.backfill(session=session, settings=settings, attribution=attribution, at=clock.now())
    return AttributionPublic.model_validate(attribution)


@router.post("/staff/attributions/{client_id}/refuse", summary="Staff: refuse a held attribution (a reason)",
             responses=problem_responses(401, 403, 404, 409, 422))
async def refuse(client_id: uuid.UUID, data: Decision, principal: StaffPrincipal, session: SessionDep,
                 clock: ClockDep) -> AttributionPublic:
    """Staff only. Refuses a held attribution of the client: the affiliate earns no commission from this client. Audited
    with the optional `reason`. 404 if the client has no attribution, 409 if it is not held."""
    attribution = await service.decide_held(session=session, client_id=client_id, approve=False,
                                            reason=data.reason or "refused by staff", staff_id=principal.user_id,
                                            now=clock.now())
    return AttributionPublic.model_validate(attribution)
