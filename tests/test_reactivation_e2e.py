"""The platform's promise end to end, every step by the automation (B-2, B-4, B-7, B-19, P-1, P-2, P-5):
a client orders hosting through the gateway, pays, and the hosting is created on the panel; the renewal goes
unpaid, two days after the due date billing decides the suspension and provisioning suspends the panel account;
the client pays — through Stripe, MercadoPago, PayPal or a reported transfer — and the account is active again.
No staff action touches the service: the only staff act is confirming a reported transfer, which is how a transfer
payment is credited. Provider payments arrive as webhooks signed as the providers sign them, through the gateway;
a PayPal order is approved at PayPal's page and captured when the browser comes back to the panel (#15 item 1)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.catalog.seeding import load_seed_catalog
from billing.fakes import mercadopago_request, stripe_headers

if TYPE_CHECKING:
    from conftest import Platform

# The webhook secrets the platform fixture configures billing with (tests/conftest.py).
STRIPE_SECRET, MERCADOPAGO_SECRET = "whsec_e2e", "mercadopago-e2e-secret"

PASSWORD = "una-clave-bien-larga"
START = datetime(2027, 6, 1, 15, 0, tzinfo=UTC)  # noon in Buenos Aires


async def pay_through_provider(
    gateway: httpx.AsyncClient, platform: Platform, headers: dict[str, str], invoice_id: str, method: str
) -> None:
    """The client starts the payment, pays at the provider, and the provider notifies billing (B-19)."""
    started = await gateway.post(f"/api/billing/invoices/{invoice_id}/pay", json={"method": method}, headers=headers)
    assert started.status_code == 200, started.text
    ref = started.json()["provider_ref"]
    if method == "paypal":
        await approve_at_paypal(gateway, platform, headers, invoice_id, started.json()["redirect_url"])
        return
    if method == "stripe":
        stripe = platform.fake_stripe
        assert stripe is not None
        stripe.complete(ref)
        body = json.dumps(stripe.event("checkout.session.completed", stripe.sessions[ref]))
        response = await gateway.post("/webhooks/stripe", content=body, headers=stripe_headers(body, STRIPE_SECRET))
    else:
        mercadopago = platform.fake_mercadopago
        assert mercadopago is not None
        payment_id = mercadopago.pay(ref)
        query, mp_headers, body = mercadopago_request(payment_id, MERCADOPAGO_SECRET)
        response = await gateway.post(f"/webhooks/mercadopago?{query}", content=body, headers=mp_headers)
    assert response.status_code == 200, response.text


async def approve_at_paypal(gateway: httpx.AsyncClient, platform: Platform, headers: dict[str, str], invoice_id: str,
                            approval_url: str) -> None:
    """As a browser: PayPal's page, "Pay" (PayPal notifies CHECKOUT.ORDER.APPROVED), back to the panel's invoice page
    with `token`, where the panel captures the order (the payment is applied once, whichever comes first)."""
    async with httpx.AsyncClient(timeout=15) as browser:
        page = await browser.get(approval_url)
        assert page.status_code == 200 and "PayPal" in page.text
        action = next(a for a in page.text.split('action="')[1:] if a.startswith("/checkoutnow/pay"))
        back = await browser.post(urljoin(str(page.url), action.split('"')[0].replace("&amp;", "&")))
    assert back.status_code == 303
    returned = urlsplit(back.headers["location"])
    assert returned.path == f"/invoices/{invoice_id}" and parse_qs(returned.query)["paid"] == ["1"]
    token = parse_qs(returned.query)["token"][0]
    captured = await gateway.post(f"/api/billing/invoices/{invoice_id}/capture", headers=headers,
                                  json={"method": "paypal", "provider_ref": token})
    assert captured.status_code == 200, captured.text
    assert captured.json()["invoice_status"] == "paid"


@pytest.mark.parametrize("method", ["transfer", "stripe", "mercadopago", "paypal"])
async def test_b4_b7_overdue_hosting_is_suspended_and_comes_back_by_itself_when_paid(
    gateway: httpx.AsyncClient, admin_headers: dict[str, str], platform: Platform, method: str
) -> None:
    engine = make_engine(platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)  # what `make db` does
    await engine.dispose()
    whm = platform.fake_whm
    assert whm is not None

    async def move_to(day: date) -> None:
        instant = START + timedelta(days=(day - START.date()).days)
        moved = await gateway.put("/api/test/clock", json={"now": instant.isoformat()}, headers=admin_headers)
        assert moved.status_code == 200, moved.text

    async def confirm_transfer(invoice: dict[str, Any]) -> None:
        paid = await gateway.post(f"/api/billing/staff/invoices/{invoice['id']}/confirm-transfer",
                                  headers=admin_headers,
                                  json={"amount_minor": invoice["total_due"]["amount_minor"],
                                        "transfer_reference": f"PREX-{uuid.uuid4().hex[:10]}"})
        assert paid.status_code == 200 and paid.json()["invoice_status"] == "paid", paid.text

    await move_to(START.date())
    email = f"rita-{uuid.uuid4().hex[:8]}@example.test"
    # PayPal is for clients outside Argentina (B-20); the manual sends Colombia to it, with a USD account.
    where = {"country": "CO", "currency": "USD"} if method == "paypal" else {"country": "AR"}
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Rita", **where})
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)

    async def billing_knows_the_client() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows_the_client, what="billing to learn of the client")

    # Order and pay: provisioning creates the account on the panel and activates it (P-2).
    domain = f"rita{uuid.uuid4().hex[:6]}.com.ar"
    order = {"items": [{"product_code": "hosting-basic", "cycle": "semiannual", "domain": domain}]}
    placed = await gateway.post("/api/billing/orders", json=order, headers=headers)
    assert placed.status_code == 201, placed.text
    invoice = (await gateway.get(f"/api/billing/invoices/{placed.json()['invoice_id']}", headers=headers)).json()
    await confirm_transfer(invoice)
    service = (await gateway.get("/api/billing/services", headers=headers)).json()[0]
    service_path = f"/api/provisioning/services/{service['id']}"

    async def state_is(state: str) -> bool:
        response = await gateway.get(service_path, headers=headers)
        return response.status_code == 200 and response.json()["state"] == state

    def panel_account() -> dict[str, Any] | None:
        return next((a for a in whm.accounts.values() if a["domain"] == domain), None)

    await wait_for(lambda: state_is("active"), within=20, what="the hosting to be created and active")
    account = panel_account()
    assert account is not None and not account["suspended"]

    # The renewal is issued 15 days ahead (B-2) and not paid; two days after the due date: suspended (B-4).
    due = date.fromisoformat(service["next_due_on"])
    await move_to(due - timedelta(days=15))

    async def renewal() -> dict[str, Any] | None:
        invoices = (await gateway.get("/api/billing/invoices", headers=headers)).json()
        return next((i for i in invoices if i["kind"] == "renewal"), None)

    async def renewal_issued() -> bool:
        return await renewal() is not None

    await wait_for(renewal_issued, what="the renewal invoice")
    await move_to(due + timedelta(days=2))
    await wait_for(lambda: state_is("suspended"), within=20, what="the B-4 suspension")

    async def panel_suspended(expected: bool) -> bool:
        account = panel_account()
        return account is not None and bool(account["suspended"]) is expected

    await wait_for(lambda: panel_suspended(True), within=20, what="the panel account to be suspended")

    # The client pays: billing credits it, provisioning reactivates; nobody touches the service (B-7, P-5).
    unpaid = await renewal()
    assert unpaid is not None and unpaid["status"] == "unpaid"
    if method == "transfer":
        await confirm_transfer(unpaid)
    else:
        await pay_through_provider(gateway, platform, headers, unpaid["id"], method)
    await wait_for(lambda: state_is("active"), within=20, what="the reactivation")
    await wait_for(lambda: panel_suspended(False), within=20, what="the panel account to be unsuspended")
    detail = (await gateway.get(service_path, headers=headers)).json()
    assert detail["state"] == "active"
