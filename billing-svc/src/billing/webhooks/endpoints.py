"""POST /webhooks/stripe and /webhooks/mercadopago (the gateway forwards the raw body untouched).

Verified in a dependency before anything else (400 missing headers, 401 bad signature: nothing is written), stored
once, answered 200 at once, processed after the response (a background task), or later by the sweep."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from pydantic import BaseModel

from abono.db import unit_of_work
from billing.deps import ClockDep, SettingsDep
from billing.providers.registry import ProvidersDep
from billing.webhooks import service
from billing.webhooks.verify import VerifiedEvent, verify_mercadopago, verify_stripe

router = APIRouter(tags=["webhooks"])
_RESPONSES: dict[int | str, dict[str, str]] = {
    400: {"description": "Signature headers missing (problem+json); nothing stored"},
    401: {"description": "Bad signature or timestamp out of tolerance (problem+json); nothing stored"},
}


class WebhookAck(BaseModel):
    received: bool = True
    duplicate: bool  # stored before: nothing new was written


async def stripe_event(request: Request, settings: SettingsDep) -> VerifiedEvent:
    return verify_stripe(body=await request.body(), header=request.headers.get("stripe-signature"),
                         secrets=settings.stripe_webhook_secrets, tolerance=settings.webhook_tolerance_seconds)


async def mercadopago_event(request: Request, settings: SettingsDep) -> VerifiedEvent:
    query = request.query_params
    return verify_mercadopago(body=await request.body(), signature=request.headers.get("x-signature"),
                              request_id=request.headers.get("x-request-id"),
                              data_id=query.get("data.id") or query.get("id"),
                              event_type=query.get("type") or query.get("topic"),
                              secret=settings.mercadopago_webhook_secret,
                              tolerance=settings.webhook_tolerance_seconds)


async def _accept(request: Request, event: VerifiedEvent, background: BackgroundTasks, clock: ClockDep,
                  settings: SettingsDep, providers: ProvidersDep) -> WebhookAck:
    async with unit_of_work(request.app.state.sessionmaker) as session:
        new = await service.store_event(session=session, clock=clock, settings=settings, event=event)
    # Also for a redelivery: if the first try was lost (crash), this one processes it; else it is a no-op.
    background.add_task(service.process_event, sessionmaker=request.app.state.sessionmaker, clock=clock,
                        settings=settings, providers=providers, provider=event.provider,
                        external_id=event.external_id)
    return WebhookAck(duplicate=not new)


@router.post("/webhooks/stripe", summary="Stripe events (signed; B-17, B-19)", responses=_RESPONSES)
async def stripe_webhook(request: Request, event: Annotated[VerifiedEvent, Depends(stripe_event)],
                         background: BackgroundTasks, clock: ClockDep, settings: SettingsDep,
                         providers: ProvidersDep) -> WebhookAck:
    return await _accept(request, event, background, clock, settings, providers)


@router.post("/webhooks/mercadopago", summary="MercadoPago notifications (signed manifest; B-17, B-19)",
             responses=_RESPONSES)
async def mercadopago_webhook(request: Request, event: Annotated[VerifiedEvent, Depends(mercadopago_event)],
                              background: BackgroundTasks, clock: ClockDep, settings: SettingsDep,
                              providers: ProvidersDep) -> WebhookAck:
    return await _accept(request, event, background, clock, settings, providers)
