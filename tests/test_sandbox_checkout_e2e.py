"""Issue 13 item 5: the providers' hosted checkout pages of the sandbox, as a browser uses them. "Pay" at Stripe's
page sends Stripe's signed webhook to the gateway and returns to the panel's success URL: the invoice is paid and
the hosting becomes active; "Decline" at MercadoPago's page sends its signed notification of a rejected payment and
returns to the failure URL: the invoice stays unpaid, and can be paid again."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import httpx

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.seed import load_seed_catalog

if TYPE_CHECKING:
    from conftest import Platform

PASSWORD = "una-clave-bien-larga"


async def _client(gateway: httpx.AsyncClient, platform: Platform) -> dict[str, str]:
    engine = make_engine(platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)  # what `make db` does
    await engine.dispose()
    email = f"caja-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Carla", "country": "AR"})
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)

    async def billing_knows_the_client() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows_the_client, what="billing to learn of the client")
    return headers


async def _order(gateway: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    order = {"items": [{"product_code": "hosting-basic", "cycle": "semiannual",
                        "domain": f"caja{uuid.uuid4().hex[:6]}.com.ar"}]}
    placed = await gateway.post("/api/billing/orders", json=order, headers=headers)
    assert placed.status_code == 201, placed.text
    invoice: dict[str, Any] = (await gateway.get(f"/api/billing/invoices/{placed.json()['invoice_id']}",
                                                 headers=headers)).json()
    return invoice


async def _press(browser: httpx.AsyncClient, page: httpx.Response, button: str) -> httpx.Response:
    """Submit the page's form whose button says `button`, as a browser would (no redirect followed)."""
    forms = re.findall(r'<form method="post" action="([^"]+)"><button[^>]*>([^<]+)</button>', page.text)
    action = next(a for a, label in forms if label == button).replace("&amp;", "&")
    return await browser.post(urljoin(str(page.url), action))


async def test_pay_at_the_stripe_sandbox_page_pays_the_invoice_and_returns_to_the_panel(
    gateway: httpx.AsyncClient, platform: Platform
) -> None:
    headers = await _client(gateway, platform)
    invoice = await _order(gateway, headers)
    started = await gateway.post(f"/api/billing/invoices/{invoice['id']}/pay", json={"method": "stripe"},
                                 headers=headers)
    assert started.status_code == 200, started.text
    checkout_url = started.json()["redirect_url"]
    assert checkout_url.startswith("http://127.0.0.1:")  # the local fake, reachable by a browser

    async with httpx.AsyncClient(timeout=15) as browser:
        page = await browser.get(checkout_url)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        due = invoice["total_due"]
        assert f"{Decimal(due['amount_minor']).scaleb(-2):,f} {due['currency']}" in page.text
        back = await _press(browser, page, "Pay")
        assert back.status_code == 303
        assert back.headers["location"] == f"{platform.gateway_url}/invoices/{invoice['id']}?paid=1"
        landing = await browser.get(back.headers["location"])
        assert landing.status_code == 200 and landing.headers["content-type"].startswith("text/html")

    async def paid() -> bool:
        current = (await gateway.get(f"/api/billing/invoices/{invoice['id']}", headers=headers)).json()
        return bool(current["status"] == "paid")

    await wait_for(paid, what="the invoice paid by Stripe's webhook")
    service = (await gateway.get("/api/billing/services", headers=headers)).json()[0]

    async def active() -> bool:
        answer = await gateway.get(f"/api/provisioning/services/{service['id']}", headers=headers)
        return answer.status_code == 200 and answer.json()["state"] == "active"

    await wait_for(active, within=20, what="the hosting to become active")


async def test_decline_at_the_mercadopago_sandbox_page_leaves_the_invoice_unpaid(
    gateway: httpx.AsyncClient, platform: Platform
) -> None:
    headers = await _client(gateway, platform)
    invoice = await _order(gateway, headers)
    pay = f"/api/billing/invoices/{invoice['id']}/pay"
    started = await gateway.post(pay, json={"method": "mercadopago"}, headers=headers)
    assert started.status_code == 200, started.text

    async with httpx.AsyncClient(timeout=15) as browser:
        page = await browser.get(started.json()["redirect_url"])
        assert page.status_code == 200 and "Mercado Pago" in page.text
        back = await _press(browser, page, "Decline")
        assert back.status_code == 303
        assert back.headers["location"].startswith(f"{platform.gateway_url}/invoices/{invoice['id']}?")
        assert "status=rejected" in back.headers["location"]
    mercadopago = platform.fake_mercadopago
    assert mercadopago is not None
    assert [p["status"] for p in mercadopago.payments.values()
            if p["external_reference"] == invoice["payment_reference"]] == ["rejected"]
    current = (await gateway.get(f"/api/billing/invoices/{invoice['id']}", headers=headers)).json()
    assert current["status"] == "unpaid"

    # The client tries again, and pays.
    again = await gateway.post(pay, json={"method": "mercadopago"}, headers=headers)
    assert again.status_code == 200, again.text
    async with httpx.AsyncClient(timeout=15) as browser:
        page = await browser.get(again.json()["redirect_url"])
        back = await _press(browser, page, "Pay")
        assert back.status_code == 303 and "status=approved" in back.headers["location"]

    async def paid() -> bool:
        current = (await gateway.get(f"/api/billing/invoices/{invoice['id']}", headers=headers)).json()
        return bool(current["status"] == "paid")

    await wait_for(paid, what="the invoice paid by MercadoPago's notification")
