"""F-2: commissions as an append-only ledger: pending, matured by the scheduler, reversed by refunds and
chargebacks even after maturity or withdrawal, exactly once whatever the redeliveries."""

import uuid

import asyncpg
import pytest
from affiliate_testkit import (
    Served,
    auth,
    balance,
    fetch,
    mature,
    me,
    new_affiliate,
    paid,
    publish,
    referred_client,
    staff,
    wait_applied,
)

from abono.events import ChargebackReceived, InvoiceLineInfo, InvoiceRefunded
from abono.money import MoneyModel


def usd(minor: int) -> MoneyModel:
    return MoneyModel(amount_minor=minor, currency="USD")


def chargeback(client_id: uuid.UUID, invoice_id: uuid.UUID) -> ChargebackReceived:
    return ChargebackReceived(client_id=client_id, invoice_id=invoice_id, provider="stripe",
                              provider_payment_id=f"pi_{uuid.uuid4().hex[:8]}", dispute_id=f"dp_{uuid.uuid4().hex}")


async def test_f2_ten_percent_pending_then_available_after_the_holding_period(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code)
    invoice = paid(friend, total=12_345, at=served.clock.now())
    await publish(invoice)
    await wait_applied(served, invoice)
    summary = await me(served, affiliate_id)
    assert balance(summary) == (1_235, 0)  # 10 % of 123.45, HALF_UP
    assert summary["conversions"] == 1
    [entry] = await me(served, affiliate_id, "/ledger")
    assert entry["status"] == "pending" and entry["entry_type"] == "commission"
    assert entry["matures_at"] > entry["created_at"]
    await mature(served, affiliate_id)
    assert balance(await me(served, affiliate_id)) == (0, 1_235)
    statuses = {e["entry_type"]: e["status"] for e in await me(served, affiliate_id, "/ledger")}
    assert statuses["commission"] == "available"
    referrals = await me(served, affiliate_id, "/referrals")
    assert [r["converted"] for r in referrals] == [True] and "client_id" not in referrals[0]


async def test_f2_percentage_per_product_kind_and_fees_earn_nothing(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code)
    invoice = paid(friend, total=31_000, at=served.clock.now(), lines=[
        InvoiceLineInfo(description="Hosting", amount=usd(20_000), product_kind="shared_hosting"),
        InvoiceLineInfo(description="Dominio", amount=usd(1_000), product_kind="domain"),  # 5 % (a setting)
        InvoiceLineInfo(description="Restauración", amount=usd(10_000)),  # B-6 fee: not recurring
    ])
    await publish(invoice)
    await wait_applied(served, invoice)
    assert balance(await me(served, affiliate_id)) == (2_050, 0)


async def test_f2_commission_in_the_referred_clients_currency(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code, currency="ARS")
    invoice = paid(friend, total=1_500_000, currency="ARS", at=served.clock.now())
    await publish(invoice)
    await wait_applied(served, invoice)
    summary = await me(served, affiliate_id)
    assert balance(summary, "ARS") == (150_000, 0) and balance(summary, "USD") == (0, 0)


async def test_f2_redelivered_invoice_paid_and_chargeback_change_nothing(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code)
    invoice = paid(friend, total=10_000, at=served.clock.now())
    reemitted = invoice.model_copy(update={"event_id": uuid.uuid4()})  # billing emitting the same fact again
    await publish(invoice, invoice, reemitted)
    await wait_applied(served, invoice, reemitted)
    assert balance(await me(served, affiliate_id)) == (1_000, 0)
    dispute = chargeback(friend, invoice.invoice_id)
    again = dispute.model_copy(update={"event_id": uuid.uuid4()})
    await publish(dispute, dispute, again)
    await wait_applied(served, dispute, again)
    assert balance(await me(served, affiliate_id)) == (0, 0)
    rows = await fetch(served.database_url, "SELECT entry_type, amount_minor FROM ledger_entries "
                       "WHERE affiliate_id = $1 ORDER BY created_at, entry_type", affiliate_id)
    assert sorted((r["entry_type"], r["amount_minor"]) for r in rows) == [("commission", 1_000),
                                                                           ("reversal", -1_000)]


async def test_f2_refund_reverses_its_share_and_a_later_chargeback_the_rest(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code)
    invoice = paid(friend, total=20_000, at=served.clock.now())
    await publish(invoice)
    await wait_applied(served, invoice)
    await mature(served, affiliate_id)
    refund = InvoiceRefunded(invoice_id=invoice.invoice_id, client_id=friend, number="F-0001", amount=usd(5_000))
    await publish(refund)
    await wait_applied(served, refund)
    assert balance(await me(served, affiliate_id)) == (0, 1_500)  # a quarter refunded: 500 of 2,000 back
    dispute = chargeback(friend, invoice.invoice_id)
    await publish(dispute)
    await wait_applied(served, dispute)
    assert balance(await me(served, affiliate_id)) == (0, 0)
    statuses = [e["status"] for e in await me(served, affiliate_id, "/ledger") if e["entry_type"] == "commission"]
    assert statuses == ["reversed"]


async def test_f2_chargeback_arriving_before_the_payment_still_reverses(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code)
    invoice = paid(friend, total=10_000, at=served.clock.now())
    dispute = chargeback(friend, invoice.invoice_id)
    await publish(dispute)
    await wait_applied(served, dispute)
    await publish(invoice)
    await wait_applied(served, invoice)
    assert balance(await me(served, affiliate_id)) == (0, 0)


async def test_f2_unreferred_clients_earn_nobody_anything(served: Served) -> None:
    affiliate_id, _ = await new_affiliate(served)
    invoice = paid(uuid.uuid4(), at=served.clock.now())
    await publish(invoice)
    await wait_applied(served, invoice)
    assert await fetch(served.database_url, "SELECT 1 FROM paid_invoices WHERE invoice_id = $1",
                       invoice.invoice_id) == []
    assert balance(await me(served, affiliate_id)) == (0, 0)


async def test_f2_the_ledger_is_append_only(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code)
    invoice = paid(friend, at=served.clock.now())
    await publish(invoice)
    await wait_applied(served, invoice)
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await fetch(served.database_url, "UPDATE ledger_entries SET amount_minor = 1 WHERE affiliate_id = $1",
                    affiliate_id)
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await fetch(served.database_url, "DELETE FROM ledger_entries WHERE affiliate_id = $1", affiliate_id)


async def test_f2_monthly_earnings_and_statement(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code)
    invoice = paid(friend, total=40_000, at=served.clock.now())
    await publish(invoice)
    await wait_applied(served, invoice)
    [month] = await me(served, affiliate_id, "/monthly")
    assert month["earned"] == {"amount_minor": 4_000, "currency": "USD"}
    statement = await me(served, affiliate_id, f"/statements/{month['month']}")
    [line] = statement["currencies"]
    assert line["commissions"]["amount_minor"] == 4_000 and line["closing"]["amount_minor"] == 4_000
    assert line["opening"]["amount_minor"] == 0 and len(statement["entries"]) == 1
    async with served.http() as http:
        pdf = await http.get(f"/affiliates/me/statements/{month['month']}/pdf", headers=auth(affiliate_id))
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-1.4") and b"Resumen de afiliado" in pdf.content
        assert b"40.00 USD" in pdf.content and b"Comisi" in pdf.content
        bad = await http.get("/affiliates/me/statements/2026-13", headers=auth(affiliate_id))
        assert bad.status_code == 422


async def test_f2_staff_set_a_kinds_percentage_audited_and_it_applies_to_new_commissions(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code)
    admin = staff()
    async with served.http() as http:
        assert (await http.put("/staff/commission-rates/vps", json={"percent": "15"},
                               headers=auth(affiliate_id))).status_code == 403
        for bad in ({"percent": "101"}, {"percent": "-1"}, {"percent": "abc"}):
            assert (await http.put("/staff/commission-rates/vps", json=bad, headers=admin)).status_code == 422
        assert (await http.put("/staff/commission-rates/Bad-Kind", json={"percent": "5"},
                               headers=admin)).status_code == 422
        listed = await http.put("/staff/commission-rates/vps", json={"percent": "15"}, headers=admin)
        assert listed.status_code == 200
        rates = {r["product_kind"]: (r["percent"], r["source"]) for r in listed.json()}
        assert rates["vps"] == ("15.000", "staff") and rates["domain"] == ("5", "setting")
        assert rates["default"] == ("10", "setting")
    invoice = paid(friend, total=10_000, kind="vps", at=served.clock.now())
    await publish(invoice)
    await wait_applied(served, invoice)
    assert balance(await me(served, affiliate_id)) == (1_500, 0)
    audit = await fetch(served.database_url, "SELECT action, details FROM audit_log WHERE details->>'product_kind' "
                        "= 'vps' ORDER BY at")
    assert audit[0]["action"] == "commission_rate_set" and '"percent": "15"' in audit[0]["details"]
    async with served.http() as http:
        assert (await http.delete("/staff/commission-rates/vps", headers=admin)).status_code == 204
        assert (await http.delete("/staff/commission-rates/vps", headers=admin)).status_code == 404
    later = paid(friend, total=10_000, kind="vps", at=served.clock.now())
    await publish(later)
    await wait_applied(served, later)
    assert balance(await me(served, affiliate_id)) == (2_500, 0)  # back to the default 10 %
