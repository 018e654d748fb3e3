"""F-1 and F-4 end to end through the gateway: a client turns its affiliate account on, a visitor (another cookie
jar, no login) follows the link, gets the 90-day cookie and signs up; from the affiliate's own address it is held,
staff approve it, and billing learns the referrer (its free month, B-12/F-4) from the affiliate service's event."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.catalog.seeding import load_seed_catalog
from billing.fakes import stripe_headers

if TYPE_CHECKING:
    from conftest import Platform

PASSWORD = "una-clave-bien-larga"
STRIPE_SECRET = "whsec_e2e"  # conftest's


async def test_f1_a_visit_through_the_gateway_then_a_signup_is_attributed(
    gateway: httpx.AsyncClient, admin_headers: dict[str, str], platform: Platform
) -> None:
    email = f"afi-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Afi", "country": "AR"})
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)
    turned_on = await gateway.post("/api/affiliate/affiliates/me", headers=headers)
    assert turned_on.status_code == 201, turned_on.text
    link = turned_on.json()["link"]
    path = urlsplit(link).path
    assert path.startswith("/r/")  # the gateway's short alias of /api/affiliate/r/<code>

    async with httpx.AsyncClient(base_url=str(gateway.base_url), timeout=10) as visitor:  # its own cookie jar
        landed = await visitor.get(path)
        assert landed.status_code == 302 and landed.headers["location"] == "/sign-up"
        assert "abono_ref=" in landed.headers["set-cookie"]
        friend_email = f"amiga-{uuid.uuid4().hex[:8]}@example.com"
        friend = await visitor.post("/api/auth/signup", json={
            "email": friend_email, "password": PASSWORD, "name": "Amiga", "country": "AR"})
        assert friend.status_code == 202, friend.text

    friend_id = await platform.client_id(gateway, await platform.login(gateway, friend_email, PASSWORD))

    async def counted(signups: int, held: int) -> bool:
        summary = (await gateway.get("/api/affiliate/affiliates/me", headers=headers)).json()
        return bool((summary["visits"], summary["signups"], summary["held"]) == (1, signups, held))

    # Here the visitor and the affiliate share an address (127.0.0.1): suspicious, held for staff.
    await wait_for(lambda: counted(0, 1), within=20, what="the sign-up to be held for staff")
    approved = await gateway.post(f"/api/affiliate/staff/attributions/{friend_id}/approve",
                                  json={"reason": "checked"}, headers=admin_headers)
    assert approved.status_code == 200, approved.text
    await wait_for(lambda: counted(1, 0), within=20, what="the sign-up to be attributed")

    async def billing_knows_the_referrer() -> bool:
        response = await gateway.get("/api/billing/referrals/me", headers=headers)
        return response.status_code == 200 and response.json()["referred"] == 1

    await wait_for(billing_knows_the_referrer, within=20, what="billing to record the referrer (B-12/F-4)")


async def test_a2_f3_identity_approved_by_staff_opens_bank_withdrawals(
    gateway: httpx.AsyncClient, admin_headers: dict[str, str], platform: Platform
) -> None:
    email = f"ver-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Vera", "country": "AR"})
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)
    client_id = await platform.client_id(gateway, headers)
    assert (await gateway.post("/api/affiliate/affiliates/me", headers=headers)).status_code == 201
    withdrawal = {"method": "bank", "amount_minor": 2_000, "currency": "USD",
                  "bank_account": {"holder_name": "Vera Gómez", "bank": "Banco Nación", "account": "0110599520000001"}}
    refused = await gateway.post("/api/affiliate/affiliates/me/withdrawals", json=withdrawal, headers=headers)
    assert refused.status_code == 409 and refused.json()["type"].endswith("/identity-not-verified")

    for side, data in (("front", b"\x89PNG\r\n\x1a\n" + bytes(32)), ("back", b"%PDF-1.7\n" + bytes(32)),
                       ("selfie", b"\xff\xd8\xff\xe0" + bytes(32))):
        uploaded = await gateway.put(f"/api/identity/me/documents/{side}", content=data, headers=headers)
        assert uploaded.status_code == 204, uploaded.text
    sent = await gateway.post("/api/identity/me/submit", headers=headers,
                              json={"legal_name": "Vera Gómez", "tax_id": "27-30111222-5", "document_type": "dni"})
    assert sent.status_code == 202, sent.text
    approved = await gateway.post(f"/api/identity/staff/{client_id}/approve", json={}, headers=admin_headers)
    assert approved.status_code == 200 and approved.json()["status"] == "verified"

    async def verified_for_withdrawals() -> bool:
        answer = await gateway.post("/api/affiliate/affiliates/me/withdrawals", json=withdrawal, headers=headers)
        return answer.status_code == 409 and answer.json()["type"].endswith("/insufficient-balance")

    await wait_for(verified_for_withdrawals, within=20, what="the affiliate service to learn the identity (A-2)")


async def test_f1_the_affiliates_own_card_paying_for_the_referred_client_refuses_the_attribution(
    gateway: httpx.AsyncClient, admin_headers: dict[str, str], platform: Platform
) -> None:
    """F-1 self-referral by payer: the referred account pays at Stripe with the card the affiliate paid with; billing
    reports Stripe's card fingerprint on InvoicePaid and the affiliate service refuses the attribution."""
    engine = make_engine(platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)
    await engine.dispose()
    stripe = platform.fake_stripe
    assert stripe is not None
    card = f"fp_{uuid.uuid4().hex[:12]}"

    async def client(name: str, domain: str, **extra: str) -> tuple[dict[str, str], str]:
        email = f"{name}-{uuid.uuid4().hex[:8]}@{domain}"  # two domains: not held for sharing one
        signup = await gateway.post("/api/auth/signup", json={
            "email": email, "password": PASSWORD, "name": name.title(), "country": "AR", **extra})
        assert signup.status_code == 202, signup.text
        headers = await platform.login(gateway, email, PASSWORD)

        async def billing_knows() -> bool:
            return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

        await wait_for(billing_knows, within=30, what="billing to learn of the client")
        return headers, await platform.client_id(gateway, headers)

    async def pay_with_card(headers: dict[str, str]) -> None:
        placed = await gateway.post("/api/billing/orders", headers=headers,
                                    json={"items": [{"product_code": "web-builder", "cycle": "monthly"}]})
        assert placed.status_code == 201, placed.text
        started = await gateway.post(f"/api/billing/invoices/{placed.json()['invoice_id']}/pay",
                                     json={"method": "stripe"}, headers=headers)
        assert started.status_code == 200, started.text
        ref = started.json()["provider_ref"]
        stripe.complete(ref, card_fingerprint=card)
        body = json.dumps(stripe.event("checkout.session.completed", stripe.sessions[ref]))
        answer = await gateway.post("/webhooks/stripe", content=body, headers=stripe_headers(body, STRIPE_SECRET))
        assert answer.status_code == 200, answer.text

    headers, affiliate_id = await client("pagadora", "example.test")
    turned_on = await gateway.post("/api/affiliate/affiliates/me", headers=headers)
    assert turned_on.status_code == 201, turned_on.text
    friend_headers, friend_id = await client("segunda", "example.com", referral_code=turned_on.json()["code"])

    async def status_of(client_id: str) -> tuple[str, str] | None:
        rows = (await gateway.get("/api/affiliate/staff/attributions", headers=admin_headers)).json()
        return next(((r["status"], r["reason"]) for r in rows if r["client_id"] == client_id), None)

    async def attributed() -> bool:
        return await status_of(friend_id) == ("attributed", "")

    await wait_for(attributed, within=20, what="the sign-up with the affiliate's code to be attributed")
    await pay_with_card(headers)  # the affiliate pays its own order with its card
    await pay_with_card(friend_headers)  # ... and the "friend's" order with the same card

    async def refused() -> bool:
        return await status_of(friend_id) == ("refused", "self-referral: same payer")

    await wait_for(refused, within=30, what="the attribution refused: one payer behind both accounts (F-1)")
    ledger = (await gateway.get("/api/affiliate/affiliates/me/ledger", headers=headers)).json()
    assert sum(e["amount"]["amount_minor"] for e in ledger) == 0, ledger  # any commission was reversed
    assert affiliate_id != friend_id
