"""The client's direct debit (B-21): see it, sign a mandate by CBU or card, cancel it (one click, at once)."""

from fastapi import APIRouter, Request

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from billing.deps import ClockDep, SettingsDep, problems
from billing.direct_debit import service, signup
from billing.direct_debit.schemas import DirectDebitStatus, MandateCreate, MandatePublic
from billing.payments.registry import ProvidersDep

router = APIRouter(tags=["direct-debit"])


@router.get(
    "/direct-debit",
    summary="My direct debit: whether I may sign a mandate, and my mandate",
    responses=problems(401),
)
async def my_direct_debit(
    principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep, providers: ProvidersDep
) -> DirectDebitStatus:
    """The client's direct debit: whether they may sign a mandate (accounts billed in ARS, with the provider
    configured) and their current mandate with its status, if any. Client only."""
    return await service.status(session=session, settings=settings, providers=providers, client_id=principal.user_id)


@router.post(
    "/direct-debit/mandate",
    status_code=201,
    summary="Sign a direct-debit mandate by CBU or card (Pagos360; accounts billed in ARS)",
    description="Renewal invoices are then debited on their due date. By CBU: the 22-digit account number and the "
    "holder's CUIT/CUIL; by card: its number, sent to the provider and never kept. The mandate is `pending` until "
    "the bank or the card issuer accepts it.",
    responses={**problems(401, 404, 409, 422), 503: {"description": "Provider unreachable"}},
)
async def sign_mandate(
    body: MandateCreate,
    principal: CurrentPrincipal,
    request: Request,
    clock: ClockDep,
    settings: SettingsDep,
    providers: ProvidersDep,
) -> MandatePublic:
    return await signup.sign_up(
        sessionmaker=request.app.state.sessionmaker,
        clock=clock,
        settings=settings,
        providers=providers,
        client_id=principal.user_id,
        body=body,
    )


@router.delete(
    "/direct-debit/mandate",
    summary="Cancel my direct-debit mandate: no renewal is debited any more",
    responses=problems(401, 404),
)
async def cancel_mandate(
    principal: CurrentPrincipal, request: Request, clock: ClockDep, settings: SettingsDep, providers: ProvidersDep
) -> MandatePublic:
    """Cancels the client's direct-debit mandate at once, here and at the provider: no renewal invoice is debited
    any more. Client only. Answers the cancelled mandate; 404 when the client has no mandate."""
    return await signup.cancel(
        sessionmaker=request.app.state.sessionmaker,
        clock=clock,
        settings=settings,
        providers=providers,
        client_id=principal.user_id,
    )
