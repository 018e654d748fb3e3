"""B-21 for the client: saved payment methods and the auto-pay switch (issue #15 item 2)."""

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response, status

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from billing.autopay import saving, service
from billing.autopay.schemas import AutopayEnable, AutopayPublic, SavedMethodPublic, SaveMethodRequest
from billing.deps import ClockDep, SettingsDep, problems
from billing.payments.registry import ProvidersDep

router = APIRouter(tags=["auto-pay"])
UNREACHABLE: dict[int | str, dict[str, Any]] = {503: {"description": "The provider is unreachable (problem+json)"}}


@router.get("/saved-methods", summary="My saved payment methods", responses=problems(401))
async def saved_methods(principal: CurrentPrincipal, session: SessionDep) -> list[SavedMethodPublic]:
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
    await service.enable(session, clock=clock, client_id=principal.user_id, method_id=body.method_id)
    return await service.autopay_state(session, settings=settings, providers=providers, client_id=principal.user_id)


@router.delete("/autopay", summary="Stop auto-pay, at once", responses=problems(401))
async def disable_autopay(
    principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep, providers: ProvidersDep
) -> AutopayPublic:
    await service.disable(session, client_id=principal.user_id)
    return await service.autopay_state(session, settings=settings, providers=providers, client_id=principal.user_id)
