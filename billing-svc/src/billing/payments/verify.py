"""Signature checks on the raw body, before anything else (B-19). Missing headers → 400, a bad signature or a
timestamp outside the tolerance (either way: the SDKs accept future ones) → 401; nothing is stored then.

Tolerances use real time (`time.time`), not the business clock: the providers sign with the wall clock, and the test
clock may be weeks ahead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import stripe
from mercadopago.webhook.validator import InvalidWebhookSignatureError, WebhookSignatureValidator

from abono.errors import DomainError
from billing.payments.provider import VerifiedEvent

Now = Callable[[], float]


class MissingSignature(DomainError):
    status, code, title = 400, "missing-signature", "Missing signature headers"


class BadSignature(DomainError):
    status, code, title = 401, "bad-signature", "Invalid webhook signature"


def _within(timestamp: int, tolerance: int, now: Now) -> bool:
    return abs(now() - timestamp) <= tolerance


def verify_stripe(*, body: bytes, header: str | None, secrets: list[str], tolerance: int,
                  now: Now = time.time) -> VerifiedEvent:
    """`Stripe-Signature: t=...,v1=...[,v1=...]`: any configured secret (rotation) matching any v1 is accepted."""
    if not header:
        raise MissingSignature("The Stripe-Signature header is missing.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadSignature("The body is not UTF-8.") from None
    verified = False
    for secret in secrets:
        try:  # HMAC only here (tolerance=None): the timestamp is checked both ways below
            stripe.WebhookSignature.verify_header(text, header, secret, tolerance=None)
        except stripe.SignatureVerificationError:
            continue
        verified = True
        break
    if not verified:
        raise BadSignature("No signature matches a configured secret.")
    stamp = next((p.split("=", 1)[1] for p in header.split(",") if p.startswith("t=")), "")
    if not stamp.isdigit() or not _within(int(stamp), tolerance, now):
        raise BadSignature("The signature's timestamp is outside the tolerance.")
    try:
        event: dict[str, Any] = json.loads(text)
        return VerifiedEvent(provider="stripe", external_id=str(event["id"]), event_type=str(event["type"]),
                             object_id=None, body=text)
    except (ValueError, KeyError, TypeError):
        raise MissingSignature("A signed body that is not a Stripe event.") from None


def _mp_seconds(ts: str) -> int:
    value = int(ts)
    return value // 1000 if value > 10**11 else value  # milliseconds or seconds


def verify_mercadopago(*, body: bytes, signature: str | None, request_id: str | None, data_id: str | None,
                       event_type: str | None, secret: str, tolerance: int, now: Now = time.time) -> VerifiedEvent:
    """`x-signature: ts=...,v1=...` over `id:{data.id};request-id:{x-request-id};ts:{ts};` (HMAC-SHA256). The body is
    not signed: only `data.id` is trusted, and the payment's status is re-read from the API."""
    if not signature or not request_id or not data_id:
        raise MissingSignature("x-signature, x-request-id and data.id are all required.")
    if not secret:
        raise BadSignature("No MercadoPago webhook secret is configured.")
    try:
        WebhookSignatureValidator.validate(signature, request_id, data_id, secret)
    except InvalidWebhookSignatureError:
        raise BadSignature("The signature does not match.") from None
    ts = next((p.split("=", 1)[1].strip() for p in signature.split(",") if p.strip().startswith("ts=")), "")
    if not ts.isdigit() or not _within(_mp_seconds(ts), tolerance, now):
        raise BadSignature("The signature's timestamp is outside the tolerance.")
    return VerifiedEvent(provider="mercadopago", external_id=request_id, event_type=event_type or "payment",
                         object_id=data_id, body=body.decode("utf-8", errors="replace"))
