"""WhatsApp's webhook: the GET subscription handshake, the POSTed delivery statuses (N-3), and the messages clients
write to the provider's number, forwarded to support as `WhatsAppMessageReceived` (S-1: they become tickets).

A POST is believed only with a valid `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body with
the app secret (ARCHITECTURE "Security": verified before anything else); replays change nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from abono.db import SessionDep
from abono.errors import DomainError, Forbidden, InvalidInput, Unauthorized
from abono.events import WhatsAppMessageReceived
from abono.messaging import emit
from notify.config import NotifySettings
from notify.messages.models import Status
from notify.tracking.repository import TrackingRepository

log = structlog.get_logger("notify.whatsapp_webhook")
router = APIRouter(prefix="/whatsapp", tags=["whatsapp"])
KNOWN_STATUSES = {Status.SENT.value, Status.DELIVERED.value, Status.READ.value, Status.FAILED.value}


class MissingSignature(DomainError):
    status, code, title = 400, "missing-signature", "Missing signature"


def signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value Meta sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def verified_payload(request: Request) -> dict[str, Any]:
    settings: NotifySettings = request.app.state.settings
    secret = settings.whatsapp_app_secret
    header = request.headers.get("x-hub-signature-256")
    if not header:
        raise MissingSignature("Send X-Hub-Signature-256.")
    body = await request.body()
    if secret is None or not hmac.compare_digest(signature(secret.get_secret_value(), body), header.strip()):
        raise Unauthorized("Bad webhook signature.")
    try:
        payload = json.loads(body)
    except ValueError:
        raise InvalidInput("The body is not JSON.") from None
    if not isinstance(payload, dict):
        raise InvalidInput("The body is not a JSON object.")
    return payload


@router.get("/webhook", summary="Meta's subscription handshake: echoes hub.challenge if hub.verify_token matches",
            response_class=PlainTextResponse, responses={403: {"description": "Wrong verify token"}})
async def handshake(
    request: Request,
    mode: Annotated[str, Query(alias="hub.mode", max_length=64)],
    verify_token: Annotated[str, Query(alias="hub.verify_token", max_length=512)],
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=512)],
) -> PlainTextResponse:
    """Called by Meta (WhatsApp Cloud API) when the webhook is subscribed, not by integrators. Answers `hub.challenge`
    as plain text when `hub.mode` is subscribe and `hub.verify_token` matches the configured token; 403 otherwise.
    """
    expected = request.app.state.settings.whatsapp_verify_token
    if mode != "subscribe" or expected is None or not hmac.compare_digest(
        verify_token.encode(), expected.get_secret_value().encode()
    ):
        raise Forbidden("Verification token mismatch.")
    return PlainTextResponse(challenge)


@router.post("/webhook", summary="Delivery statuses and inbound messages from WhatsApp (signed by the app secret)",
             responses={400: {"description": "No signature"}, 401: {"description": "Bad signature"}})
async def receive(
    payload: Annotated[dict[str, Any], Depends(verified_payload)], session: SessionDep, request: Request
) -> dict[str, int]:
    """Called by Meta (WhatsApp Cloud API), not by integrators; the body must carry a valid `X-Hub-Signature-256` of
    the app secret (400 without one, 401 when wrong). Records delivery statuses of the messages sent and passes
    clients' replies on to support; answers how many statuses were recorded or ignored and how many replies were
    forwarded. A repeated delivery forwards no reply twice.
    """
    tracking = TrackingRepository(session)
    now = request.app.state.clock.now()
    recorded = ignored = 0
    for status in _statuses(payload):
        name, provider_id = status.get("status"), status.get("id")
        if name not in KNOWN_STATUSES or not isinstance(provider_id, str):
            ignored += 1
            continue
        detail = "; ".join(
            f"{e.get('code')}: {e.get('title') or e.get('message')}" for e in status.get("errors") or []
            if isinstance(e, dict)
        ) or None
        if await tracking.record_whatsapp_status(provider_id, name, reported_at=_when(status.get("timestamp"), now),
                                                 received_at=now, detail=detail):
            recorded += 1
        else:
            ignored += 1
    forwarded = 0
    for inbound in _inbound(payload, now):
        await emit(session, inbound)  # support dedupes replays by the WhatsApp message id
        forwarded += 1
    log.info("whatsapp_webhook", recorded=recorded, ignored=ignored, forwarded=forwarded)
    return {"recorded": recorded, "ignored": ignored, "forwarded": forwarded}


def _statuses(payload: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for entry in payload.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                found.extend(s for s in value.get("statuses") or [] if isinstance(s, dict))
    return found


def _inbound(payload: dict[str, Any], now: datetime) -> list[WhatsAppMessageReceived]:
    found: list[WhatsAppMessageReceived] = []
    for entry in payload.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            names = {c.get("wa_id"): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []
                     if isinstance(c, dict) and isinstance(c.get("profile") or {}, dict)}
            for message in value.get("messages") or []:
                if not isinstance(message, dict):
                    continue
                sender, message_id = message.get("from"), message.get("id")
                if not isinstance(sender, str) or not isinstance(message_id, str):
                    continue
                name = names.get(sender)
                found.append(WhatsAppMessageReceived(
                    wa_message_id=message_id[:200], from_number=sender[:32], text=_message_text(message)[:20_000],
                    received_at=_when(message.get("timestamp"), now),
                    profile_name=name[:200] if isinstance(name, str) else None, occurred_at=now))
    return found


def _message_text(message: dict[str, Any]) -> str:
    kind = str(message.get("type") or "")
    if kind == "text" and isinstance(message.get("text"), dict):
        return str(message["text"].get("body") or "")
    body = message.get(kind) if kind else None
    caption = body.get("caption") if isinstance(body, dict) else None
    return f"[{kind or 'mensaje'}] {caption}" if caption else f"[{kind or 'mensaje'}]"


def _when(timestamp: object, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(int(str(timestamp)), UTC)
    except (TypeError, ValueError, OverflowError):
        return default
