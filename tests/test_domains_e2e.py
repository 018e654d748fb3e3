"""Issue 21 end to end through the gateway (D-1..D-3, P-2, B-15): a client searches a name, sees the TLD's prices,
gives its registrant data, orders the available `.com`, pays through Stripe's sandbox (a signed webhook), and the
domain is registered at the registrar (the local ResellerClub) and active with the provider's name servers; the
client changes them, cannot cancel the domain, only switch its renewal off."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

import httpx

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.fakes import stripe_headers
from billing.seed import load_seed_catalog

if TYPE_CHECKING:
    from conftest import Platform

STRIPE_SECRET = "whsec_e2e"  # tests/conftest.py configures billing with it
PASSWORD = "una-clave-bien-larga"
REGISTRANT = {"name": "Lía Gómez", "email": "lia@example.test", "address": "Av. Rivadavia 100", "city": "Córdoba",
              "postal_code": "X5000", "country": "AR", "phone_cc": "54", "phone": "3514567890"}


async def test_d1_d2_d3_a_client_searches_orders_pays_and_manages_a_com(
    gateway: httpx.AsyncClient, platform: Platform
) -> None:
    engine = make_engine(platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)  # what `make db` does
    await engine.dispose()
    registrar, stripe = platform.fake_registrar, platform.fake_stripe
    assert registrar is not None and stripe is not None
    email = f"lia-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Lía", "country": "AR"})
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)

    async def billing_knows_the_client() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows_the_client, what="billing to learn of the client")

    # D-1: search and prices.
    label = f"lia{uuid.uuid4().hex[:8]}"
    found = await gateway.get("/api/provisioning/domains/search", params={"q": label, "tlds": ["com"]},
                              headers=headers)
    assert found.status_code == 200, found.text
    assert found.json()["results"] == [{"name": f"{label}.com", "tld": "com", "available": True}]
    tlds = (await gateway.get("/api/billing/catalog/domains", headers=headers)).json()
    com = next(t for t in tlds if t["tld"] == "com")
    assert any(p["years"] == 1 and p["currency"] == "USD" for p in com["prices"])

    # P-2: the registrant data first, then the order, paid at Stripe.
    saved = await gateway.put("/api/provisioning/domains/registrant", json=REGISTRANT, headers=headers)
    assert saved.status_code == 200, saved.text
    placed = await gateway.post("/api/billing/orders", headers=headers, json={
        "items": [{"product_code": com["product_code"], "cycle": "annual", "domain": f"{label}.com"}]})
    assert placed.status_code == 201, placed.text
    started = await gateway.post(f"/api/billing/invoices/{placed.json()['invoice_id']}/pay",
                                 json={"method": "stripe"}, headers=headers)
    assert started.status_code == 200, started.text
    ref = started.json()["provider_ref"]
    stripe.complete(ref)
    body = json.dumps(stripe.event("checkout.session.completed", stripe.sessions[ref]))
    webhook = await gateway.post("/webhooks/stripe", content=body, headers=stripe_headers(body, STRIPE_SECRET))
    assert webhook.status_code == 200, webhook.text

    async def domain_is(status: str) -> bool:
        mine = (await gateway.get("/api/provisioning/domains", headers=headers)).json()
        return bool(mine) and mine[0]["status"] == status

    await wait_for(lambda: domain_is("active"), within=20, what="the domain to be registered and active")
    mine = (await gateway.get("/api/provisioning/domains", headers=headers)).json()[0]
    assert mine["name"] == f"{label}.com" and mine["uses_provider_dns"] and mine["expires_on"]
    order = registrar.order(f"{label}.com")
    assert order is not None
    assert len(registrar.calls_of("domains/register.json", **{"domain-name": f"{label}.com"})) == 1
    service_id = mine["service_id"]
    service = (await gateway.get(f"/api/provisioning/services/{service_id}", headers=headers)).json()
    assert service["state"] == "active"

    # D-3: the client's own name servers reach the registry.
    changed = await gateway.put(f"/api/provisioning/domains/{service_id}/nameservers", headers=headers,
                                json={"nameservers": ["ns1.lia.net", "ns2.lia.net"]})
    assert changed.status_code == 200, changed.text

    async def at_registry() -> bool:
        return bool(order["ns"] == ["ns1.lia.net", "ns2.lia.net"])

    await wait_for(at_registry, what="the new name servers at the registry")

    # B-15: a domain is never cancelled, only set not to renew.
    refused = await gateway.post(f"/api/billing/services/{service_id}/cancel", json={}, headers=headers)
    assert refused.status_code == 409, refused.text
    stopped = await gateway.patch(f"/api/billing/services/{service_id}", json={"renew": False}, headers=headers)
    assert stopped.status_code == 200, stopped.text
