from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import jwt
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from abono.auth import CurrentPrincipal, bearer_token
from abono.errors import TooManyRequests
from gateway.deps import Settings
from gateway.errors import problem_responses
from gateway.stream.frames import END, OPENING, PING
from gateway.stream.hub import Hub, Subscriber

router = APIRouter(tags=["stream"])


def _expires_at(request: Request) -> float:
    """When the caller's access token expires (wall time); its signature was verified by CurrentPrincipal."""
    claims = jwt.decode(bearer_token(request), options={"verify_signature": False})
    return float(claims["exp"])


@router.get(
    "/api/stream",
    summary="My live events (server-sent events): invoices issued and paid, services activated, suspended...",
    description=(
        "`text/event-stream`: one frame per event about the caller's own invoices and services, "
        "`event: <EventClassName>` and `data: {type, client_id, event_id, occurred_at, invoice_id / service_id ...}`;"
        " a `: ping` comment every 15 s. The stream ends when the access token expires: reconnect with a fresh one."
    ),
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **problem_responses(401, 429)},
)
async def stream(principal: CurrentPrincipal, request: Request, settings: Settings) -> StreamingResponse:
    hub: Hub = request.app.state.stream_hub
    subscriber = hub.subscribe(principal.user_id, limit=settings.stream_max_per_client)
    if subscriber is None:
        raise TooManyRequests(
            f"At most {settings.stream_max_per_client} live streams per account; close one.", retry_after=15
        )
    frames = _frames(hub, subscriber, ping_seconds=settings.stream_ping_seconds, ends_at=_expires_at(request))
    return StreamingResponse(
        frames,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"},
    )


async def _frames(hub: Hub, subscriber: Subscriber, *, ping_seconds: float, ends_at: float) -> AsyncIterator[bytes]:
    try:
        yield OPENING
        while (left := ends_at - time.time()) > 0:
            try:
                data = await asyncio.wait_for(subscriber.frames.get(), timeout=min(ping_seconds, left))
            except TimeoutError:
                yield PING
                continue
            if data == END:
                return
            yield data
    finally:
        hub.unsubscribe(subscriber)
