"""F-3: withdrawals to a bank account in the affiliate's own name (identity verified, minimum, one per calendar
month, marked paid by staff) or as credit (AffiliateCreditWithdrawn, once); F-2's negative balance after a refund
of withdrawn money."""

import uuid
from datetime import timedelta
from typing import Any

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

from abono.events import ClientVerified, InvoiceRefunded
from abono.money import MoneyModel

BANK = {"holder_name": "ANA PEREZ", "bank": "Banco Nación", "account": "0110599520000001234567"}


async def earned(served: Served, *, total: int = 50_000) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """An affiliate with 10 % of `total` available: (affiliate, friend, invoice)."""
    affiliate_id, code = await new_affiliate(served)
    friend = await referred_client(served, code)
    invoice = paid(friend, total=total, at=served.clock.now())
    await publish(invoice)
    await wait_applied(served, invoice)
    await mature(served, affiliate_id)
    return affiliate_id, friend, invoice.invoice_id


async def verify(served: Served, client_id: uuid.UUID, name: str = "Ana Pérez") -> None:
    event = ClientVerified(client_id=client_id, legal_name=name, document_fingerprint=uuid.uuid4().hex)
    await publish(event)
    await wait_applied(served, event)


async def withdraw(served: Served, client_id: uuid.UUID, amount: int, *, method: str = "bank",
                   bank: dict[str, str] | None = BANK, currency: str = "USD") -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"method": method, "amount_minor": amount, "currency": currency}
    if method == "bank" and bank is not None:
        body["bank_account"] = bank
    async with served.http() as http:
        response = await http.post("/affiliates/me/withdrawals", json=body, headers=auth(client_id))
    return response.status_code, response.json()


async def test_f3_withdrawal_without_verified_identity_is_refused(served: Served) -> None:
    affiliate_id, _, _ = await earned(served)
    status, body = await withdraw(served, affiliate_id, 2_500)
    assert status == 409 and body["type"].endswith("/identity-not-verified")
    assert balance(await me(served, affiliate_id)) == (0, 5_000)


async def test_f3_bank_account_own_name_and_minimum(served: Served) -> None:
    affiliate_id, _, _ = await earned(served)
    await verify(served, affiliate_id)
    status, body = await withdraw(served, affiliate_id, 2_500, bank={**BANK, "holder_name": "Juan Gómez"})
    assert status == 422 and "own name" in body["detail"]
    status, body = await withdraw(served, affiliate_id, 1_999)
    assert status == 422 and body["minimum"] == {"amount_minor": 2_000, "currency": "USD"}
    status, body = await withdraw(served, affiliate_id, 5_001)
    assert status == 409 and body["type"].endswith("/insufficient-balance")
    status, _ = await withdraw(served, affiliate_id, 2_000, bank=None)
    assert status == 422
    assert balance(await me(served, affiliate_id)) == (0, 5_000)


async def test_f3_two_withdrawals_in_a_month_the_second_refused_then_paid_by_staff(served: Served) -> None:
    affiliate_id, _, _ = await earned(served, total=60_000)
    await verify(served, affiliate_id)
    status, first = await withdraw(served, affiliate_id, 3_000)
    assert status == 201 and first["status"] == "requested" and first["holder_name"] == "ANA PEREZ"
    status, second = await withdraw(served, affiliate_id, 2_000)
    assert status == 409 and second["type"].endswith("/withdrawal-monthly-limit")
    assert balance(await me(served, affiliate_id)) == (0, 3_000)
    rows = await fetch(served.database_url, "SELECT bank_details_encrypted FROM withdrawals WHERE id = $1",
                       uuid.UUID(first["id"]))
    assert "0110599520000001234567" not in rows[0]["bank_details_encrypted"]  # encrypted at rest
    async with served.http() as http:
        listed = await http.get("/staff/withdrawals", params={"status": "requested"}, headers=staff())
        mine = next(w for w in listed.json() if w["id"] == first["id"])
        assert mine["account"] == "0110599520000001234567" and mine["bank"] == "Banco Nación"
        assert (await http.get("/staff/withdrawals", headers=auth(affiliate_id))).status_code == 403
        done = await http.post(f"/staff/withdrawals/{first['id']}/paid",
                               json={"transfer_reference": "TRF-778899"}, headers=staff())
        assert done.status_code == 200 and done.json()["status"] == "paid"
        assert done.json()["transfer_reference"] == "TRF-778899"
        twice = await http.post(f"/staff/withdrawals/{first['id']}/paid", json={"transfer_reference": "X"},
                                headers=staff())
        assert twice.status_code == 409
    served.clock.advance(timedelta(days=32))  # next calendar month: a new request is allowed
    status, _ = await withdraw(served, affiliate_id, 2_000)
    assert status == 201


async def test_f3_rejected_withdrawal_returns_the_money_and_frees_the_month(served: Served) -> None:
    affiliate_id, _, _ = await earned(served)
    await verify(served, affiliate_id)
    status, first = await withdraw(served, affiliate_id, 5_000)
    assert status == 201 and balance(await me(served, affiliate_id)) == (0, 0)
    async with served.http() as http:
        rejected = await http.post(f"/staff/withdrawals/{first['id']}/reject",
                                   json={"reason": "CBU de otra persona"}, headers=staff())
    assert rejected.status_code == 200 and rejected.json()["reject_reason"] == "CBU de otra persona"
    assert balance(await me(served, affiliate_id)) == (0, 5_000)
    status, _ = await withdraw(served, affiliate_id, 5_000)
    assert status == 201


async def test_f3_credit_withdrawal_tells_billing_once(served: Served) -> None:
    affiliate_id, _, _ = await earned(served)
    status, body = await withdraw(served, affiliate_id, 1_000, method="credit")  # no minimum, no verification
    assert status == 201 and body["status"] == "credited"
    status, _ = await withdraw(served, affiliate_id, 1_000, method="credit", currency="ARS")
    assert status == 422  # credit only in the account's currency
    rows = await fetch(served.database_url, "SELECT payload FROM outbox WHERE routing_key = $1 "
                       "AND payload->>'withdrawal_id' = $2", "affiliate.withdrawal.credited", body["id"])
    assert len(rows) == 1 and '"amount_minor": 1000' in rows[0]["payload"]
    assert balance(await me(served, affiliate_id)) == (0, 4_000)


async def test_f2_f3_refund_after_withdrawal_leaves_the_right_negative_balance(served: Served) -> None:
    affiliate_id, friend, invoice_id = await earned(served, total=30_000)  # 3,000 available
    status, _ = await withdraw(served, affiliate_id, 3_000, method="credit")
    assert status == 201 and balance(await me(served, affiliate_id)) == (0, 0)
    refund = InvoiceRefunded(invoice_id=invoice_id, client_id=friend, number="F-0001",
                             amount=MoneyModel(amount_minor=30_000, currency="USD"))
    await publish(refund, refund)
    await wait_applied(served, refund)
    assert balance(await me(served, affiliate_id)) == (0, -3_000)
    # The next commission is netted against it: 2,000 earned leaves -1,000, and nothing can be withdrawn.
    second = paid(friend, total=20_000, at=served.clock.now())
    await publish(second)
    await wait_applied(served, second)
    await mature(served, affiliate_id)
    assert balance(await me(served, affiliate_id)) == (0, -1_000)
    status, body = await withdraw(served, affiliate_id, 100, method="credit")
    assert status == 409 and body["type"].endswith("/insufficient-balance")


async def test_f3_withdrawal_needs_an_affiliate_account_and_valid_input(served: Served) -> None:
    status, _ = await withdraw(served, uuid.uuid4(), 2_000)
    assert status == 404
    affiliate_id, _ = await new_affiliate(served)
    for bad in ({"method": "bank", "amount_minor": False, "currency": "USD"},
                {"method": "cash", "amount_minor": 100, "currency": "USD"},
                {"method": "credit", "amount_minor": 100, "currency": "usd"}):
        async with served.http() as http:
            response = await http.post("/affiliates/me/withdrawals", json=bad, headers=auth(affiliate_id))
        assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    status, _ = await withdraw(served, affiliate_id, -5, method="credit")
    assert status == 422
