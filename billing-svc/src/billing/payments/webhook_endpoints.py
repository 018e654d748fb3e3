"""POST /webhooks/<provider id> (stripe, mercadopago, paypal ...; the gateway forwards the raw body untouched).

Verified by the provider (`PaymentProvider.verify_webhook`, looked up by id: no branch on the name here) in a
dependency before anything else (400 missing headers, 401 bad signature: nothing is written), stored
once, answered 200 at once, processed after the response (in the app's `WebhookLane`: the provider's read, then
the transaction, each stage bounded, the others waiting in order; not Starlette's BackgroundTasks: those run inside
the request's ASGI call and hold its keep-alive connection, so the provider's next webhook on that connection would
wait for this one's processing), or later by the sweep if the process stops first."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel

from abono.db import single_statement
from abono.errors import DomainError, NotFound
from abono.metrics import ServiceMetrics
from billing.deps import ClockDep, SettingsDep
from billing.metrics import WEBHOOKS_RECEIVED, WEBHOOKS_REJECTED
from billing.payments import jobs, webhooks
from billing.payments.provider import VerifiedEvent, WebhookRequest
from billing.payments.registry import ProvidersDep
from billing.payments.webhook_lane import WebhookLane

log = structlog.get_logger("billing.webhooks")
router = APIRouter(tags=["webhooks"])
_RESPONSES: dict[int | str, dict[str, str]] = {
    400: {"description": "Signature headers missing (problem+json); nothing stored"},
    401: {"description": "Bad signature or timestamp out of tolerance (problem+json); nothing stored"},
}


class WebhookAck(BaseModel):
    received: bool = True
    duplicate: bool  # stored before: nothing new was written


ProviderId = Annotated[str, Path(min_length=2, max_length=40, pattern=r"^[a-z0-9]+$")]


async def verified_event(provider: ProviderId, request: Request, providers: ProvidersDep) -> VerifiedEvent:
    """The provider's own signature check on the raw body; a rejection is counted and nothing is stored."""
    found = providers.get(provider)
    if found is None:
        raise NotFound(f"No payment provider {provider!r} is configured here.")
    webhook = WebhookRequest(body=await request.body(), headers=request.headers, query=request.query_params)
    try:
        return await found.verify_webhook(webhook)
    except DomainError as exc:
        metrics: ServiceMetrics = request.app.state.metrics
        metrics.fact(WEBHOOKS_REJECTED).labels(provider=provider, status=str(exc.status)).inc()
        raise


async def _accept(request: Request, event: VerifiedEvent, clock: ClockDep, settings: SettingsDep,
                  providers: ProvidersDep) -> WebhookAck:
    async with single_statement(request.app.state.sessionmaker) as session:  # committed before the answer
        new = await webhooks.store_event(session=session, clock=clock, settings=settings, event=event)
    metrics: ServiceMetrics = request.app.state.metrics  # committed: the block above ended without raising
    metrics.fact(WEBHOOKS_RECEIVED).labels(provider=event.provider, outcome="new" if new else "duplicate").inc()
    # Also for a redelivery: if the first try was lost (crash), this one processes it; else it is a no-op.
    lane: WebhookLane = request.app.state.webhook_lane
    lane.submit(jobs.process_in_turn(lane=lane, sessionmaker=request.app.state.sessionmaker, clock=clock,
                                     settings=settings, providers=providers, event=event, read_ahead=new),
                event=(event.provider, event.external_id), name=f"webhook {event.provider}:{event.external_id}")
    return WebhookAck(duplicate=not new)


@router.post("/webhooks/{provider}", summary="A payment provider's signed notifications (webhook)",
             description="Configure it at the provider as `https://<your panel>/webhooks/<provider>` (`stripe`, "
             "`mercadopago`, `paypal`). The signature is checked before anything else (400 without one, 401 for a "
             "bad or stale one); a notification already received is answered 200 and ignored, so the provider's "
             "retries are harmless.",
             responses={**_RESPONSES, 404: {"description": "No such provider configured (problem+json)"}})
async def provider_webhook(provider: ProviderId, request: Request,
                           event: Annotated[VerifiedEvent, Depends(verified_event)], clock: ClockDep,
                           settings: SettingsDep, providers: ProvidersDep) -> WebhookAck:
    return await _accept(request, event, clock, settings, providers)
