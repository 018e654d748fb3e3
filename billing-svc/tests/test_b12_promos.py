"""B-12 / F-4: the referral free month (credit for the referrer) and the 2x1 for new clients, on real PostgreSQL."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from billing_helpers import auth, db_session, new_client, paid_order, pay, run_scheduler, sql, today
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.clock import FixedClock
from abono.db import unit_of_work
from abono.errors import InvalidInput
from abono.events import ClientProfile, ClientRegistered
from billing.clients.consumers import client_registered
from billing.clients.models import referral_code_of
from billing.config import BillingSettings
from billing.cycles import add_months
from billing.orders.schemas import OrderRequest
from billing.orders.service import place_order

ANNUAL_HOSTING = [{"product_code": "hosting-basic", "cycle": "annual"}]  # 6000 USD, no monthly price
MONTHLY_RADIO = [{"product_code": "radio-basic", "cycle": "monthly"}]  # 900 USD / 1 080 000 ARS a month


async def referred_client(url: str, code: str | None, currency: str = "USD") -> uuid.UUID:
    """A client registered with `code`, through billing's ClientRegistered handler."""
    client_id = uuid.uuid4()
    async with db_session(url) as session:
        await client_registered(session, ClientRegistered(
            client_id=client_id, occurred_at=datetime.now(UTC), referral_code=code,
            profile=ClientProfile(email=f"{client_id.hex[:8]}@example.test", name="Amigo", currency=currency)))
    return client_id


async def referrals(billing: httpx.AsyncClient, client_id: uuid.UUID) -> dict[str, object]:
    response = await billing.get("/referrals/me", headers=auth(client_id))
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_b12_referral_friend_who_pays_earns_one_free_month_of_credit_once(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    referrer = await new_client(billing_db)
    code = (await billing.get("/clients/me", headers=auth(referrer))).json()["referral_code"]
    assert code == referral_code_of(referrer)
    friend = await referred_client(billing_db, code.lower())  # codes are case-insensitive
    stored = await sql(billing_db, "SELECT referrer_id FROM clients WHERE id = $1", friend)
    assert stored[0]["referrer_id"] == referrer
    assert (await referrals(billing, referrer))["referred"] == 1
    # Not paid yet: nothing earned.
    placed = (await billing.post("/orders", headers=auth(friend), json={"items": ANNUAL_HOSTING})).json()
    assert (await referrals(billing, referrer))["rewarded"] == 0
    await pay(billing, placed["invoice_id"], placed["total_due"]["amount_minor"])
    # hosting-basic has no monthly price: the annual price (before discounts) prorated, 6000 / 12.
    summary = await referrals(billing, referrer)
    assert summary["rewarded"] == 1 and summary["credit_earned"] == [{"amount_minor": 500, "currency": "USD"}]
    audit = await sql(billing_db, "SELECT actor_id, details FROM audit_log WHERE action = 'referral_credit' AND "
                                  "target_id = $1", referrer)
    assert len(audit) == 1 and audit[0]["actor_id"] == friend
    # The friend's second payment earns nothing more: once per friend.
    await paid_order(billing, friend, MONTHLY_RADIO)
    assert (await referrals(billing, referrer))["credit_earned"] == [{"amount_minor": 500, "currency": "USD"}]
    # Applied automatically to the referrer's next invoice (B-10).
    order = (await billing.post("/orders", headers=auth(referrer), json={"items": MONTHLY_RADIO})).json()
    assert order["total_due"] == {"amount_minor": 900 - 500, "currency": "USD"}


async def test_b12_referral_is_cumulative_in_the_referrers_currency(billing: httpx.AsyncClient,
                                                                     billing_db: str) -> None:
    referrer = await new_client(billing_db, currency="ARS")
    code = referral_code_of(referrer)
    for _ in range(2):
        friend = await referred_client(billing_db, code)
        await paid_order(billing, friend, [{"product_code": "radio-basic", "cycle": "annual"}])
    summary = await referrals(billing, referrer)
    # radio-basic's monthly price in ARS, once per friend.
    assert summary["rewarded"] == 2 and summary["credit_earned"] == [{"amount_minor": 2 * 1_080_000,
                                                                      "currency": "ARS"}]
    assert (await billing.get("/credit", headers=auth(referrer))).status_code == 200


async def test_b12_referral_earned_even_while_the_referrer_is_suspended_b13(billing: httpx.AsyncClient,
                                                                            billing_db: str) -> None:
    referrer = await new_client(billing_db)
    await paid_order(billing, referrer, MONTHLY_RADIO)
    await sql(billing_db, "UPDATE subscriptions SET status = 'suspended' WHERE client_id = $1", referrer)
    friend = await referred_client(billing_db, referral_code_of(referrer))
    await paid_order(billing, friend, MONTHLY_RADIO)
    assert (await referrals(billing, referrer))["credit_earned"] == [{"amount_minor": 900, "currency": "USD"}]


async def test_b12_referral_unknown_code_earns_nothing(billing: httpx.AsyncClient, billing_db: str) -> None:
    stranger = await referred_client(billing_db, "NOSUCHCODE00")
    await paid_order(billing, stranger, MONTHLY_RADIO)
    assert (await sql(billing_db, "SELECT count(*) AS n FROM referral_rewards WHERE referred_id = $1",
                      stranger))[0]["n"] == 0
    assert (await referrals(billing, stranger))["referred"] == 0


async def test_b12_two_for_one_second_order_is_free_once_and_renewals_are_paid_by_both(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    ana, beto = await new_client(billing_db), await new_client(billing_db)
    beto_email = (await billing.get("/clients/me", headers=auth(beto))).json()["email"]
    first = await billing.post("/orders", headers=auth(ana), json={"items": MONTHLY_RADIO, "partner": beto_email})
    assert first.status_code == 201, first.text
    assert first.json()["total_due"]["amount_minor"] == 900  # the first order pays
    preview = await billing.post("/orders/preview", headers=auth(beto),
                                 json={"items": MONTHLY_RADIO, "partner": str(ana)})
    line = preview.json()["lines"][0]
    assert [(d["rule"], d["percent"]) for d in line["discounts"]] == [("two_for_one", "100")]
    assert preview.json()["total"]["amount_minor"] == 0
    second = (await billing.post("/orders", headers=auth(beto), json={"items": MONTHLY_RADIO, "partner": str(ana)}))
    assert second.status_code == 201, second.text
    assert second.json()["total_due"]["amount_minor"] == 0 and second.json()["status"] == "paid"
    # Exactly once per pair: another order of the (still new) first client naming the partner pays in full.
    again = (await billing.post("/orders/preview", headers=auth(ana),
                                json={"items": MONTHLY_RADIO, "partner": str(beto)})).json()
    assert again["total"]["amount_minor"] == 900
    await pay(billing, first.json()["invoice_id"], 900)
    # Both now have a settled invoice: no longer new.
    late = await billing.post("/orders", headers=auth(beto), json={"items": MONTHLY_RADIO, "partner": str(ana)})
    assert late.status_code == 422
    # Renewals are paid by both: no 2x1 on the renewal invoices.
    await run_scheduler(sessionmaker, add_months(today(), 1) - timedelta(days=15))
    renewals = await sql(billing_db, "SELECT client_id, total_minor, discount_minor FROM invoices WHERE kind = "
                                     "'renewal' AND client_id = ANY($1::uuid[])", [ana, beto])
    assert sorted((r["total_minor"], r["discount_minor"]) for r in renewals) == [(900, 0), (900, 0)]


async def _order(sessionmaker: async_sessionmaker[AsyncSession], at: datetime, client: uuid.UUID,
                 partner: uuid.UUID, cycle: str = "monthly") -> int:
    async with unit_of_work(sessionmaker) as session:
        placed = await place_order(session=session, clock=FixedClock(at), settings=BillingSettings(),
                                   client_id=client, request=OrderRequest.model_validate({
                                       "items": [{"product_code": "radio-basic", "cycle": cycle}],
                                       "partner": str(partner)}))
    return placed.total_due.amount_minor


async def test_b12_two_for_one_needs_same_cycle_each_other_and_the_window(
        billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    window = BillingSettings().two_for_one_window_days
    t0 = datetime.now(UTC)
    a, b, c, d, e = [await new_client(billing_db) for _ in range(5)]
    # Different cycle: no 2x1.
    assert await _order(sessionmaker, t0, a, b) == 900
    assert await _order(sessionmaker, t0, b, a, cycle="quarterly") == 2700
    # Naming someone else: no 2x1 (c names a, but a named b).
    assert await _order(sessionmaker, t0, c, a) == 900
    # Outside the window (injected clock): no 2x1; inside it: the later one is free.
    assert await _order(sessionmaker, t0, d, e) == 900
    assert await _order(sessionmaker, t0 + timedelta(days=window, minutes=1), e, d) == 900
    assert await _order(sessionmaker, t0 + timedelta(days=window, minutes=-1), e, d) == 0
    with pytest.raises(InvalidInput):
        await _order(sessionmaker, t0, a, a)


async def test_i11_naming_a_partner_does_not_tell_whether_the_email_is_a_clients(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    ana, beto = await new_client(billing_db), await new_client(billing_db)
    beto_email = (await billing.get("/clients/me", headers=auth(beto))).json()["email"]
    previews = [await billing.post("/orders/preview", headers=auth(ana), json={"items": MONTHLY_RADIO, "partner": p})
                for p in (beto_email, f"nadie-{uuid.uuid4().hex[:8]}@example.test", str(uuid.uuid4()))]
    assert [p.status_code for p in previews] == [200, 200, 200]
    assert previews[0].json() == previews[1].json() == previews[2].json()
    # An order naming an unknown partner is placed, with no 2x1 claim (none to pair with).
    placed = await billing.post("/orders", headers=auth(ana),
                                json={"items": MONTHLY_RADIO, "partner": "nadie@example.test"})
    assert placed.status_code == 201, placed.text
    assert (await sql(billing_db, "SELECT count(*) AS n FROM two_for_one_orders WHERE client_id = $1",
                      ana))[0]["n"] == 0
    to_self = await billing.post("/orders/preview", headers=auth(ana),
                                 json={"items": MONTHLY_RADIO, "partner": str(ana)})
    assert to_self.status_code == 422  # what the caller knows of itself
