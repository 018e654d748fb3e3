"""Direct debit through Pagos360 (#15 item 3; B-19, B-20, B-21) over real HTTP against the local Pagos360: a mandate
(adhesión) by CBU or card, one debit request per renewal invoice however many schedulers run, results by webhook
verified (the URL's token) and applied once, a rejected debit leaving the invoice open with one notice."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest
from billing_helpers import auth, outbox, sql, staff
from payments_support import PaymentsEnv, new_client, payments_env
from test_b2_renewal_run import subscribe

from abono.clock import Clock, FixedClock, SystemClock
from abono.db import unit_of_work
from abono.testing import serve, wait_for
from billing.direct_debit.jobs import (
    DebitPass,
    debit_pass,
    refresh_pending_mandates,
    request_debits,
    withdraw_settled_debits,
)
from billing.fakes import FakePagos360, WebhookTarget
from billing.payments.applying import apply_provider_payment
from billing.renewals.jobs import issue_renewals

TOKEN = "p360-webhook-token-for-tests"
VALID_CBU = "2850590940090418135201"
CARD = "4507990000004905"
RUN_DAY = date(2032, 5, 3)  # renewals due on the 10th are issued (B-2: 15 days ahead)


@dataclass
class Bench:
    env: PaymentsEnv
    p360: FakePagos360


@pytest.fixture(scope="module")
async def bench(billing_db: str) -> AsyncIterator[Bench]:
    fake = FakePagos360(api_key="p360-key")
    async with AsyncExitStack() as stack:
        fake_url = await stack.enter_async_context(serve(fake.app))
        env = await stack.enter_async_context(
            payments_env(
                billing_db,
                pagos360_api_key="p360-key",
                pagos360_api_url=fake_url,
                pagos360_webhook_token=TOKEN,
                payment_methods_by_country={"AR": ["mercadopago", "pagos360", "transfer"], "*": ["stripe", "transfer"]},
            )
        )
        fake.webhook = WebhookTarget(url=f"{str(env.billing.base_url).rstrip('/')}/webhooks/pagos360", secret=TOKEN)
        yield Bench(env, fake)


def run_clock() -> FixedClock:
    tz = ZoneInfo("America/Argentina/Buenos_Aires")
    return FixedClock(datetime.combine(RUN_DAY, time(12), tzinfo=tz).astimezone(UTC))


async def signed_mandate(bench: Bench, body: dict[str, object]) -> tuple[uuid.UUID, str]:
    """An ARS client whose mandate Pagos360 signed (its webhook applied): (client, adhesion ref)."""
    client_id = await new_client(bench.env.db_url, currency="ARS", country="AR")
    created = await bench.env.billing.post("/direct-debit/mandate", headers=auth(client_id), json=body)
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "pending"
    ref = str((await mandate_rows(bench, client_id))[0]["mandate_ref"])
    await bench.p360.sign(ref)
    await wait_for(lambda: mandate_is(bench, client_id, "active"), what="mandate signed")
    return client_id, ref


async def mandate_rows(bench: Bench, client_id: uuid.UUID) -> list[dict[str, object]]:
    return await sql(
        bench.env.db_url, "SELECT * FROM direct_debit_mandates WHERE client_id = $1 ORDER BY created_at", client_id
    )


async def mandate_is(bench: Bench, client_id: uuid.UUID, state: str) -> bool:
    shown = await bench.env.billing.get("/direct-debit", headers=auth(client_id))
    return bool(shown.json()["mandate"]) and shown.json()["mandate"]["state"] == state


async def renewal_invoice(bench: Bench, client_id: uuid.UUID) -> dict[str, object]:
    await subscribe(bench.env.db_url, client_id, "hosting-basic", "annual", date(2032, 5, 10), currency="ARS")
    await issue_renewals(sessionmaker=bench.env.sessionmaker, clock=run_clock(), settings=bench.env.settings)
    rows = await sql(bench.env.db_url, "SELECT * FROM invoices WHERE client_id = $1 AND kind = 'renewal'", client_id)
    assert len(rows) == 1
    return rows[0]


def debits_for(bench: Bench, reference: object) -> list[tuple[str, dict[str, object]]]:
    return [
        (ref, e)
        for ref, e in bench.p360.entities.items()
        if "debit-request" in ref and e.get("external_reference") == reference
    ]


def debit_run(bench: Bench, clock: Clock) -> DebitPass:
    run = debit_pass(
        sessionmaker=bench.env.sessionmaker, clock=clock, settings=bench.env.settings, providers=bench.env.providers
    )
    assert run is not None  # Pagos360 is set up as the direct-debit provider
    return run


async def debit(bench: Bench) -> int:
    return await request_debits(debit_run(bench, run_clock()))


async def post_webhook(bench: Bench, body: str, token: str | None = TOKEN) -> httpx.Response:
    query = f"?token={token}" if token is not None else ""
    return await bench.env.billing.post(
        f"/webhooks/pagos360{query}", content=body, headers={"Content-Type": "application/json"}
    )


async def test_b20_only_ars_accounts_may_sign_a_mandate(bench: Bench) -> None:
    usd = await new_client(bench.env.db_url, currency="USD", country="AR")
    shown = (await bench.env.billing.get("/direct-debit", headers=auth(usd))).json()
    assert shown == {"available": False, "unavailable_reason": "currency", "provider": "pagos360", "mandate": None}
    before = len(bench.p360.entities)
    refused = await bench.env.billing.post(
        "/direct-debit/mandate",
        headers=auth(usd),
        json={"kind": "cbu", "holder_name": "Ana Pérez", "cbu": VALID_CBU, "holder_tax_id": "20123456786"},
    )
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert len(bench.p360.entities) == before and await mandate_rows(bench, usd) == []


async def test_b21_cbu_mandate_is_an_adhesion_at_pagos360_signed_by_its_webhook(bench: Bench) -> None:
    ars = await new_client(bench.env.db_url, currency="ARS", country="AR")
    bad = await bench.env.billing.post(
        "/direct-debit/mandate",
        headers=auth(ars),
        json={"kind": "cbu", "holder_name": "Ana Pérez", "cbu": VALID_CBU[:-1] + "2", "holder_tax_id": "20123456786"},
    )
    assert bad.status_code == 422 and await mandate_rows(bench, ars) == []  # CBU check digit wrong: nothing sent
    assert (await bench.env.billing.get("/direct-debit", headers=auth(ars))).json()["available"] is True

    created = await bench.env.billing.post(
        "/direct-debit/mandate",
        headers=auth(ars),
        json={"kind": "cbu", "holder_name": "Ana Pérez", "cbu": VALID_CBU, "holder_tax_id": "20123456786"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["label"].endswith("CBU ···5201") and created.json()["state"] == "pending"
    ref = str((await mandate_rows(bench, ars))[0]["mandate_ref"])
    sent = bench.p360.entities[ref]  # Pagos360's own field names, in its "adhesion" block
    assert ref.startswith("adhesion-") and sent["state"] == "pending_to_sign"
    assert (sent["cbu_number"], sent["cbu_holder_id_number"], sent["adhesion_holder_name"]) == (
        VALID_CBU,
        20123456786,
        "Ana Pérez",
    )

    again = await bench.env.billing.post(
        "/direct-debit/mandate",
        headers=auth(ars),
        json={"kind": "card", "holder_name": "Ana Pérez", "card_number": CARD},
    )
    assert again.status_code == 409  # one live mandate per client

    await bench.p360.sign(ref)
    await wait_for(lambda: mandate_is(bench, ars, "active"), what="mandate signed by webhook")


async def test_b21_b19_renewal_debited_once_and_its_paid_result_applied_once(bench: Bench) -> None:
    client_id, adhesion = await signed_mandate(bench, {"kind": "card", "holder_name": "Ana Pérez", "card_number": CARD})
    assert CARD not in json.dumps(await mandate_rows(bench, client_id), default=str)  # the number stays at Pagos360
    invoice = await renewal_invoice(bench, client_id)

    # Two schedulers at once: one debit request for the invoice.
    await asyncio.gather(debit(bench), debit(bench))
    await debit(bench)
    found = debits_for(bench, invoice["payment_reference"])
    assert len(found) == 1
    ref, request = found[0]
    assert ref.startswith("card-debit-request-") and request["card_adhesion"] == int(adhesion.rsplit("-", 1)[1])
    assert request["amount"] == Decimal(str(invoice["total_minor"])).scaleb(-2)
    assert request["metadata"] == {"invoice_id": str(invoice["id"]), "invoice_number": invoice["number"]}

    body = await bench.p360.settle(ref, "paid")
    await wait_for(lambda: invoice_status_is(bench, invoice["id"], "paid"), what="debit applied")
    await bench.env.webhooks_done()
    assert await payment_keys(bench, invoice["id"]) == [f"pagos360:{ref}"]

    replayed = await post_webhook(bench, body)
    assert replayed.status_code == 200 and replayed.json() == {"received": True, "duplicate": True}
    await bench.env.webhooks_done()
    assert await payment_keys(bench, invoice["id"]) == [f"pagos360:{ref}"]
    assert len(await outbox(bench.env.db_url, "billing.invoice.paid", invoice_id=str(invoice["id"]))) == 1


async def test_b19_forged_or_tokenless_webhooks_are_refused_and_bodies_are_not_trusted(bench: Bench) -> None:
    client_id, _ = await signed_mandate(bench, {"kind": "card", "holder_name": "Ana Pérez", "card_number": CARD})
    invoice = await renewal_invoice(bench, client_id)
    await debit(bench)
    ref = debits_for(bench, invoice["payment_reference"])[0][0]
    claim = bench.p360.webhook_body(ref, "paid", result_id=999_999)  # Pagos360 never collected it
    stored = await sql(bench.env.db_url, "SELECT count(*) AS n FROM provider_events")

    missing, forged = await post_webhook(bench, claim, token=None), await post_webhook(bench, claim, token="guess")
    assert (missing.status_code, forged.status_code) == (400, 401)
    assert forged.headers["content-type"] == "application/problem+json"
    assert await sql(bench.env.db_url, "SELECT count(*) AS n FROM provider_events") == stored  # nothing stored

    # The right token with a false body: the debit is read back from Pagos360, which says pending.
    accepted = await post_webhook(bench, claim)
    assert accepted.status_code == 200
    await bench.env.webhooks_done()
    assert await payment_keys(bench, invoice["id"]) == []
    assert (await sql(bench.env.db_url, "SELECT status FROM invoices WHERE id = $1", invoice["id"]))[0][
        "status"
    ] == "unpaid"


async def test_b21_rejected_debit_leaves_the_invoice_open_and_tells_the_client_once(bench: Bench) -> None:
    client_id, _ = await signed_mandate(
        bench, {"kind": "cbu", "holder_name": "Juan Gómez", "cbu": VALID_CBU, "holder_tax_id": "20123456786"}
    )
    invoice = await renewal_invoice(bench, client_id)
    await debit(bench)
    ref, request = debits_for(bench, invoice["payment_reference"])[0]
    assert ref.startswith("debit-request-") and request["first_due_date"] == "10-05-2032"  # debited on its due date

    body = await bench.p360.settle(ref, "rejected", "Fondos insuficientes")

    async def noticed() -> bool:
        return bool(await outbox(bench.env.db_url, "billing.payment.automatic_failed", invoice_id=str(invoice["id"])))

    await wait_for(noticed, what="rejected debit notice")
    assert (await post_webhook(bench, body)).json()["duplicate"] is True
    await bench.env.webhooks_done()
    # Reconciliation finding the same result later changes nothing either.
    payment = await bench.env.providers["pagos360"].get_payment(payment_id=ref)
    async with unit_of_work(bench.env.sessionmaker) as session:
        assert (
            await apply_provider_payment(
                session=session, clock=SystemClock(), settings=bench.env.settings, payment=payment
            )
            == "failure already reported"
        )
    notices = await outbox(bench.env.db_url, "billing.payment.automatic_failed", invoice_id=str(invoice["id"]))
    assert len(notices) == 1
    assert (notices[0]["reason"], notices[0]["method"], notices[0]["client_id"]) == (
        "Fondos insuficientes",
        "pagos360",
        str(client_id),
    )
    assert (await sql(bench.env.db_url, "SELECT status FROM invoices WHERE id = $1", invoice["id"]))[0][
        "status"
    ] == "unpaid"
    assert await payment_keys(bench, invoice["id"]) == []


async def test_b21_cancelling_the_mandate_stops_debits_at_once(bench: Bench) -> None:
    client_id, adhesion = await signed_mandate(bench, {"kind": "card", "holder_name": "Ana Pérez", "card_number": CARD})
    cancelled = await bench.env.billing.delete("/direct-debit/mandate", headers=auth(client_id))
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert bench.p360.entities[adhesion]["state"] == "canceled"
    invoice = await renewal_invoice(bench, client_id)
    await debit(bench)
    assert debits_for(bench, invoice["payment_reference"]) == []
    assert (await bench.env.billing.delete("/direct-debit/mandate", headers=auth(client_id))).status_code == 404


async def invoice_status_is(bench: Bench, invoice_id: object, status: str) -> bool:
    rows = await sql(bench.env.db_url, "SELECT status FROM invoices WHERE id = $1", invoice_id)
    return bool(rows) and rows[0]["status"] == status


async def payment_keys(bench: Bench, invoice_id: object) -> list[object]:
    rows = await sql(bench.env.db_url, "SELECT payment_key FROM payments WHERE invoice_id = $1", invoice_id)
    return [r["payment_key"] for r in rows]


async def test_b21_cancelling_the_mandate_withdraws_the_debits_not_collected_yet(bench: Bench) -> None:
    client_id, _ = await signed_mandate(bench, {"kind": "card", "holder_name": "Ana Pérez", "card_number": CARD})
    invoice = await renewal_invoice(bench, client_id)
    await debit(bench)
    ref = debits_for(bench, invoice["payment_reference"])[0][0]
    assert bench.p360.entities[ref]["state"] == "pending"

    assert (await bench.env.billing.delete("/direct-debit/mandate", headers=auth(client_id))).status_code == 200
    assert bench.p360.entities[ref]["state"] == "canceled"  # Pagos360 will not debit it
    attempts = await sql(bench.env.db_url, "SELECT status FROM payment_attempts WHERE invoice_id = $1", invoice["id"])
    assert [a["status"] for a in attempts] == ["closed"]
    await debit(bench)
    assert len(debits_for(bench, invoice["payment_reference"])) == 1  # and no new request replaces it


async def test_b21_a_pending_mandate_whose_webhook_never_came_is_asked_about(bench: Bench) -> None:
    client_id = await new_client(bench.env.db_url, currency="ARS", country="AR")
    created = await bench.env.billing.post(
        "/direct-debit/mandate",
        headers=auth(client_id),
        json={"kind": "card", "holder_name": "Ana Pérez", "card_number": CARD},
    )
    assert created.status_code == 201
    ref = str((await mandate_rows(bench, client_id))[0]["mandate_ref"])
    bench.p360.entities[ref]["state"] = "signed"  # signed at Pagos360, its webhook lost
    assert await refresh_pending_mandates(debit_run(bench, SystemClock())) == 0  # asked about only now and then
    later = FixedClock(datetime.now(UTC) + timedelta(seconds=bench.env.settings.direct_debit_retry_seconds + 1))
    assert await refresh_pending_mandates(debit_run(bench, later)) >= 1
    assert await mandate_is(bench, client_id, "active")


async def test_b21_a_debit_for_an_invoice_paid_another_way_is_withdrawn_once(bench: Bench) -> None:
    client_id, _ = await signed_mandate(bench, {"kind": "card", "holder_name": "Ana Pérez", "card_number": CARD})
    invoice = await renewal_invoice(bench, client_id)
    await debit(bench)
    ref = debits_for(bench, invoice["payment_reference"])[0][0]
    paid = await bench.env.billing.post(
        f"/staff/invoices/{invoice['id']}/confirm-transfer",
        headers=staff(),
        json={"amount_minor": invoice["total_minor"], "transfer_reference": f"T-{uuid.uuid4().hex[:8]}"},
    )
    assert paid.status_code == 200 and paid.json()["invoice_status"] == "paid"

    withdraw = debit_run(bench, SystemClock())
    assert await withdraw_settled_debits(withdraw) >= 1
    assert bench.p360.entities[ref]["state"] == "canceled"  # not charged twice
    attempts = await sql(
        bench.env.db_url, "SELECT status, withdrawn_at FROM payment_attempts WHERE invoice_id = $1", invoice["id"]
    )
    assert [a["status"] for a in attempts] == ["closed"] and attempts[0]["withdrawn_at"] is not None
    assert await withdraw_settled_debits(withdraw) == 0


async def test_b19_a_one_off_pagos360_payment_request_pays_its_invoice_once(bench: Bench) -> None:
    client_id = await new_client(bench.env.db_url, currency="ARS", country="AR")
    order = {
        "items": [
            {
                "product_code": "hosting-basic",
                "cycle": "annual",
                "quantity": 1,
                "domain": f"p360{uuid.uuid4().hex[:6]}.com.ar",
            }
        ]
    }
    placed = await bench.env.billing.post("/orders", headers=auth(client_id), json=order)
    assert placed.status_code == 201, placed.text
    invoice_id = str(placed.json()["invoice_id"])
    started = await bench.env.billing.post(
        f"/invoices/{invoice_id}/pay", headers=auth(client_id), json={"method": "pagos360"}
    )
    assert started.status_code == 200, started.text
    ref = started.json()["provider_ref"]
    assert ref.startswith("payment-request-") and started.json()["redirect_url"].endswith(f"/checkout/{ref}")
    again = await bench.env.billing.post(
        f"/invoices/{invoice_id}/pay", headers=auth(client_id), json={"method": "pagos360"}
    )
    assert again.json()["provider_ref"] == ref  # the same Solicitud de Pago, not a second one

    body = await bench.p360.settle(ref, "paid")
    await wait_for(lambda: invoice_status_is(bench, invoice_id, "paid"), what="payment request applied")
    assert (await post_webhook(bench, body)).json()["duplicate"] is True
    await bench.env.webhooks_done()
    assert await payment_keys(bench, invoice_id) == [f"pagos360:{ref}"]
