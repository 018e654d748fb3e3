"""What billing tells the affiliate service (F-2: InvoicePaid's kind and lines with product kinds) and what it
takes from it (F-1 link sign-ups name their referrer for B-12/F-4; F-3 commissions withdrawn as credit)."""

import uuid
from datetime import UTC, datetime

import httpx
from billing_helpers import auth, db_session, new_client, outbox, pay
from test_b12_promos import ANNUAL_HOSTING, referrals

from abono.events import AffiliateCreditWithdrawn, ReferralAttributed
from abono.money import MoneyModel
from billing.clients.models import referral_code_of
from billing.promos.consumers import credit_withdrawn, referral_attributed


async def test_f2_invoice_paid_carries_its_kind_and_lines_with_product_kinds(billing: httpx.AsyncClient,
                                                                             billing_db: str) -> None:
    client = await new_client(billing_db)
    placed = (await billing.post("/orders", headers=auth(client), json={"items": ANNUAL_HOSTING})).json()
    await pay(billing, placed["invoice_id"], placed["total_due"]["amount_minor"])
    [event] = await outbox(billing_db, "billing.invoice.paid", invoice_id=placed["invoice_id"])
    assert event["kind"] == "order"
    lines = event["lines"]
    assert isinstance(lines, list) and lines and all(line["product_kind"] for line in lines)
    assert sum(line["amount"]["amount_minor"] for line in lines) == event["total"]["amount_minor"]  # type: ignore[index]


async def test_f4_link_signup_names_its_referrer_and_earns_the_free_month(billing: httpx.AsyncClient,
                                                                         billing_db: str) -> None:
    referrer, friend = await new_client(billing_db), await new_client(billing_db)
    attributed = ReferralAttributed(client_id=friend, affiliate_client_id=referrer,
                                    code=referral_code_of(referrer), source="link")
    async with db_session(billing_db) as session:
        await referral_attributed(session, attributed)
    assert (await referrals(billing, referrer))["referred"] == 1
    placed = (await billing.post("/orders", headers=auth(friend), json={"items": ANNUAL_HOSTING})).json()
    await pay(billing, placed["invoice_id"], placed["total_due"]["amount_minor"])
    assert (await referrals(billing, referrer))["rewarded"] == 1


async def test_f3_commissions_withdrawn_as_credit_are_added_to_the_balance(billing: httpx.AsyncClient,
                                                                           billing_db: str) -> None:
    client = await new_client(billing_db)
    event = AffiliateCreditWithdrawn(withdrawal_id=uuid.uuid4(), client_id=client, occurred_at=datetime.now(UTC),
                                     amount=MoneyModel(amount_minor=1_250, currency="USD"))
    async with db_session(billing_db) as session:
        await credit_withdrawn(session, event)
    response = await billing.get("/credit", headers=auth(client))
    assert response.status_code == 200, response.text
    assert {"amount_minor": 1_250, "currency": "USD"} in response.json()["balances"]
