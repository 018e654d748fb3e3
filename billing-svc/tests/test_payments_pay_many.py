"""Paying several invoices at once, credit first (issue #13 item 3): one provider checkout for the rest after the
client's credit (B-10), each invoice paid exactly once whatever the notifications (B-19), a share whose invoice was
paid otherwise kept as credit, and nothing crossing into another client's invoices."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from billing_helpers import auth, outbox, pay, sql
from payments_support import PaymentsEnv, new_client, payments_env, post_stripe, unpaid_order

from abono.testing import wait_for


@pytest.fixture(scope="module")
async def env(billing_db: str) -> AsyncIterator[PaymentsEnv]:
    async with payments_env(billing_db) as bench:
        yield bench


async def two_unpaid(env: PaymentsEnv, credit_minor: int = 0) -> tuple[uuid.UUID, list[str]]:
    """A client with two unpaid invoices and, issued after them, `credit_minor` of credit balance (an overpaid
    third order)."""
    client_id = await new_client(env.db_url, country="US")
    ids = [str((await unpaid_order(env.billing, client_id))["invoice_id"]) for _ in range(2)]
    if credit_minor:
        third = await unpaid_order(env.billing, client_id)
        due = third["total_due"]["amount_minor"]  # type: ignore[index]
        await pay(env.billing, third["invoice_id"], due + credit_minor)
    return client_id, ids


async def credit_of(env: PaymentsEnv, client_id: uuid.UUID) -> int:
    rows = await sql(env.db_url, "SELECT coalesce(sum(amount_minor), 0) AS n FROM credit_entries WHERE client_id = $1",
                     client_id)
    return int(rows[0]["n"])  # type: ignore[call-overload]


async def payments_for(env: PaymentsEnv, invoice_ids: list[str]) -> list[dict[str, object]]:
    return await sql(env.db_url, "SELECT invoice_id, payment_key, amount_minor, credited_minor FROM payments "
                     "WHERE invoice_id = ANY($1::uuid[]) ORDER BY payment_key", [uuid.UUID(i) for i in invoice_ids])


async def all_paid(env: PaymentsEnv, invoice_ids: list[str]) -> None:
    async def done() -> bool:
        return all([await outbox(env.db_url, "billing.invoice.paid", invoice_id=i) for i in invoice_ids])

    await wait_for(done, what="InvoicePaid for every invoice of the batch")
    await env.webhooks_done()


async def test_b10_b19_credit_first_then_one_checkout_pays_each_invoice_once_and_replays_change_nothing(
        env: PaymentsEnv) -> None:
    client_id, ids = await two_unpaid(env, credit_minor=400)
    answer = await env.billing.post("/invoices/pay-many", headers=auth(client_id),
                                    json={"invoice_ids": ids, "method": "stripe"})
    assert answer.status_code == 200, answer.text
    batch = answer.json()
    assert (batch["total"]["amount_minor"], batch["credit_applied"]["amount_minor"],
            batch["amount"]["amount_minor"]) == (3000, 400, 2600)
    assert sorted(i["invoice_id"] for i in batch["invoices"]) == sorted(ids) and not batch["paid"]
    assert await credit_of(env, client_id) == 0  # the credit went to the invoices first
    session = env.stripe.sessions[batch["provider_ref"]]
    assert session["amount_total"] == 2600 and session["metadata"]["invoice_id"] == batch["id"]
    assert session["success_url"].endswith(f"/invoices?batch={batch['id']}&paid=1")
    again = await env.billing.post("/invoices/pay-many", headers=auth(client_id),
                                   json={"invoice_ids": list(reversed(ids)), "method": "stripe"})
    assert again.json()["id"] == batch["id"] and again.json()["provider_ref"] == batch["provider_ref"]

    env.stripe.complete(batch["provider_ref"])
    event = env.stripe.event("checkout.session.completed", env.stripe.sessions[batch["provider_ref"]])
    answers = await asyncio.gather(*(post_stripe(env.billing, event) for _ in range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    await all_paid(env, ids)
    assert (await post_stripe(env.billing, event)).json()["duplicate"]  # replayed later: stored once, nothing else
    await env.webhooks_done()
    for invoice_id in ids:
        assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1
    payments = await payments_for(env, ids)
    assert len(payments) == 2 and sum(p["amount_minor"] for p in payments) == 2600  # type: ignore[misc]
    assert sorted(p["amount_minor"] for p in payments) == [1100, 1500]  # type: ignore[type-var]
    assert all(p["credited_minor"] == 0 for p in payments) and await credit_of(env, client_id) == 0
    shown = await env.billing.get(f"/invoices/pay-many/{batch['id']}", headers=auth(client_id))
    assert shown.json()["paid"] and shown.json()["status"] == "paid"
    assert (await env.billing.get(f"/invoices/pay-many/{batch['id']}", headers=auth())).status_code == 404


async def test_b10_a_share_whose_invoice_was_paid_meanwhile_becomes_credit(env: PaymentsEnv) -> None:
    client_id, ids = await two_unpaid(env)
    batch = (await env.billing.post("/invoices/pay-many", headers=auth(client_id),
                                    json={"invoice_ids": ids, "method": "stripe"})).json()
    await pay(env.billing, ids[0], 1500)  # the client also paid the first one by transfer
    env.stripe.complete(batch["provider_ref"])
    assert (await post_stripe(env.billing, env.stripe.event(
        "checkout.session.completed", env.stripe.sessions[batch["provider_ref"]]))).status_code == 200
    await all_paid(env, ids)
    for invoice_id in ids:
        assert len(await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id)) == 1
    card = [p for p in await payments_for(env, ids) if str(p["payment_key"]).startswith("stripe:")]
    assert sum(p["amount_minor"] for p in card) == 3000  # type: ignore[misc]
    assert await credit_of(env, client_id) == 1500  # never lost, never billed twice


async def test_b10_credit_that_covers_every_invoice_pays_them_without_a_checkout(env: PaymentsEnv) -> None:
    client_id, ids = await two_unpaid(env, credit_minor=5000)
    sessions = len(env.stripe.sessions)
    answer = await env.billing.post("/invoices/pay-many", headers=auth(client_id),
                                    json={"invoice_ids": ids, "method": "stripe"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["paid"] and body["redirect_url"] is None and body["amount"]["amount_minor"] == 0
    assert len(env.stripe.sessions) == sessions and await credit_of(env, client_id) == 2000
    for invoice_id in ids:
        assert (await outbox(env.db_url, "billing.invoice.paid", invoice_id=invoice_id))[0]["method"] == "credit"


async def test_b20_bad_choices_are_refused_and_change_nothing(env: PaymentsEnv) -> None:
    client_id, ids = await two_unpaid(env, credit_minor=400)
    other_id, others = await two_unpaid(env)

    async def refused(body: dict[str, object], status: int, who: uuid.UUID = client_id) -> None:
        answer = await env.billing.post("/invoices/pay-many", headers=auth(who), json=body)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")

    await refused({"invoice_ids": [], "method": "stripe"}, 422)
    await refused({"invoice_ids": [ids[0], others[0]], "method": "stripe"}, 404)  # another client's invoice
    await refused({"invoice_ids": others, "method": "stripe"}, 404)
    await refused({"invoice_ids": ids, "method": "mercadopago"}, 422)  # B-20: not offered in the US
    await refused({"invoice_ids": ids, "method": "transfer"}, 422)
    await refused({"invoice_ids": [ids[0], ids[0]], "method": "stripe"}, 422)
    await pay(env.billing, others[0], 1500)
    await refused({"invoice_ids": others, "method": "stripe"}, 409, other_id)  # one of them is paid
    await sql(env.db_url, "UPDATE invoices SET currency = 'EUR' WHERE id = $1", uuid.UUID(others[1]))
    third = str((await unpaid_order(env.billing, other_id))["invoice_id"])
    await refused({"invoice_ids": [others[1], third], "method": "stripe"}, 422, other_id)  # mixed currencies
    assert await credit_of(env, client_id) == 400
    rows = await sql(env.db_url, "SELECT count(*) AS n FROM payment_batches WHERE client_id = ANY($1::uuid[])",
                     [client_id, other_id])
    assert rows[0]["n"] == 0
    statuses = await sql(env.db_url, "SELECT status, credit_applied_minor FROM invoices WHERE id = ANY($1::uuid[])",
                         [uuid.UUID(i) for i in ids])
    assert all(s["status"] == "unpaid" and s["credit_applied_minor"] == 0 for s in statuses)
