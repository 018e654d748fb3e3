"""B-21 for the client: saved payment methods and the auto-pay switch (issue #15 item 2)."""

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response, status

from abono.auth import CurrentPrincipal
from abono.db import ReadSessionDep, SessionDep
from billing.autopay import saving, service
from billing.autopay.schemas import AutopayEnable, AutopayPublic, SavedMethodPublic, SaveMethodRequest
from billing.deps import ClockDep, SettingsDep, problems
from billing.payments.registry import ProvidersDep

router = APIRouter(tags=["auto-pay"])
UNREACHABLE: dict[int | str, dict[str, Any]] = {503: {"description": "The provider is unreachable (problem+json)"}}


@router.get("/saved-methods", summary="My saved payment methods", responses=problems(401))
async def saved_methods(principal: CurrentPrincipal, session: SessionDep) -> list[SavedMethodPublic]:
    """The client's saved payment methods (cards and the like kept at a provider), with their status. Client only;
    only the caller's own methods are listed."""
    return await service.list_methods(session, principal.user_id)


@router.post(
    "/saved-methods",
    status_code=201,
    summary="Save a payment method: the provider's page to enter it (Stripe: a card)",
    responses={**problems(401, 404, 422), **UNREACHABLE},
)
async def save_method(
    body: SaveMethodRequest,
    principal: CurrentPrincipal,
    request: Request,
    providers: ProvidersDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> SavedMethodPublic:
    """Starts saving a payment method with `provider`: the answer is the new method, `pending`, with `redirect_url`:
    the provider's page where the client enters it (Stripe: a card). Client only. 404 or 422 for a provider that
    is not offered; 503 when the provider is unreachable (nothing is saved)."""
    return await saving.start_saving(
        sessionmaker=request.app.state.sessionmaker,
        providers=providers,
        clock=clock,
        settings=settings,
        client_id=principal.user_id,
        provider_name=body.provider,
    )


@router.post(
    "/saved-methods/{method_id}/confirm",
    summary="Back from the provider's page: the method, active once the provider saved it",
    responses={**problems(401, 404, 422), **UNREACHABLE},
)
async def confirm_method(
    method_id: uuid.UUID, principal: CurrentPrincipal, request: Request, providers: ProvidersDep, clock: ClockDep
) -> SavedMethodPublic:
    """Call it when the client is back from the provider's page: asks the provider and answers the method, `active`
    once the provider has saved it. Client only, own methods only (another client's is 404). 503 when the
    provider is unreachable."""
    return await saving.finish_saving(
        sessionmaker=request.app.state.sessionmaker,
        providers=providers,
        clock=clock,
        client_id=principal.user_id,
        method_id=method_id,
    )


@router.delete(
    "/saved-methods/{method_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a saved method (here and at the provider); auto-pay through it stops",
    responses={**problems(401, 404, 422), **UNREACHABLE},
)
async def remove_method(
    method_id: uuid.UUID, principal: CurrentPrincipal, request: Request, providers: ProvidersDep, clock: ClockDep
) -> Response:
    """Deletes one of the client's saved methods, here and at the provider; if auto-pay used it, auto-pay stops.
    Client only, own methods only (404 otherwise). Answers 204 with no body; 503 when the provider is
    unreachable."""
    await saving.remove_method(
        sessionmaker=request.app.state.sessionmaker,
        providers=providers,
        clock=clock,
        client_id=principal.user_id,
        method_id=method_id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/autopay", summary="My auto-pay: on or off, the method, when renewals are charged", responses=problems(401)
)
async def autopay(
    principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep, providers: ProvidersDep
) -> AutopayPublic:
    """The client's auto-pay: whether it is on, the saved method renewals are charged to, how many days before the
    due date they are charged and when failed charges are retried, the providers where a method can be saved, and
    the latest charges. Client only."""
    return await service.autopay_state(session, settings=settings, providers=providers, client_id=principal.user_id)


@router.put(
    "/autopay", summary="Turn auto-pay on with one of my saved methods", responses=problems(401, 404, 409, 422)
)
async def enable_autopay(
    body: AutopayEnable,
    principal: CurrentPrincipal,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    providers: ProvidersDep,
) -> AutopayPublic:
    """Turns auto-pay on with one of the client's saved methods (`method_id`): renewal invoices are then charged to
    it automatically. Client only. 404 for a method that is not the client's; 409 when the method is not active
    yet (finish the provider's page first). Setting the same method again changes nothing."""
    await service.enable(session, clock=clock, client_id=principal.user_id, method_id=body.method_id)
    return await service.autopay_state(session, settings=settings, providers=providers, client_id=principal.user_id)


@router.delete(
    "/autopay", summary="Stop auto-pay, at once", responses={**problems(401), **UNREACHABLE}
)
async def disable_autopay(
    principal: CurrentPrincipal,
    session: ReadSessionDep,
    request: Request,
    clock: ClockDep,
    settings: SettingsDep,
    providers: ProvidersDep,
) -> AutopayPublic:
    """Turns auto-pay off at once: no renewal is charged automatically any more. A saved card is kept; a PayPal
    account saved for auto-pay is removed and its agreement cancelled at PayPal too. Client only. Answers the new
    state; calling it when auto-pay is already off changes nothing. 503 when the provider could not be told (auto-pay
    is off here all the same)."""
    await saving.stop_autopay(
        sessionmaker=request.app.state.sessionmaker, providers=providers, clock=clock, client_id=principal.user_id
    )
    return await service.autopay_state(session, settings=settings, providers=providers, client_id=principal.user_id)
