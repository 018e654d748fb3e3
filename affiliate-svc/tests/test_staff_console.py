"""Staff's side of F-1 and F-3 for the console: a held attribution approved or refused with a reason, a bank
withdrawal approved then paid with the transfer reference, or rejected; every decision in the audit log; one
affiliate's page (figures, sign-ups, ledger, withdrawals with bank details, decisions)."""

import uuid

from affiliate_testkit import Served, auth, fetch, new_affiliate, referred_client, staff
from test_f3_withdrawals import earned, verify, withdraw


async def audit_of(served: Served, affiliate_id: uuid.UUID) -> list[tuple[str, dict[str, str]]]:
    async with served.http() as http:
        response = await http.get("/staff/audit", params={"affiliate_id": str(affiliate_id)}, headers=staff())
    assert response.status_code == 200, response.text
    return [(row["action"], row["details"]) for row in reversed(response.json())]


async def test_f1_held_attributions_decided_by_staff_with_a_reason_are_audited(served: Served) -> None:
    domain = f"empresa-{uuid.uuid4().hex[:6]}.test"
    affiliate_id, code = await new_affiliate(served, email=f"ana@{domain}")
    approved_id = await referred_client(served, code, email=f"juan@{domain}")  # same company domain: held
    refused_id = await referred_client(served, code, email=f"luis@{domain}")
    async with served.http() as http:
        ok = await http.post(f"/staff/attributions/{approved_id}/approve", json={"reason": "Cliente real"},
                             headers=staff())
        no = await http.post(f"/staff/attributions/{refused_id}/refuse", json={"reason": "Cuenta duplicada"},
                             headers=staff())
        assert (ok.json()["status"], no.json()["status"], no.json()["reason"]) == (
            "attributed", "refused", "Cuenta duplicada")
        assert (await http.get("/staff/audit", headers=auth(affiliate_id))).status_code == 403
    assert await audit_of(served, affiliate_id) == [
        ("attribution_approve", {"affiliate_id": str(affiliate_id), "client_id": str(approved_id),
                                 "reason": "Cliente real"}),
        ("attribution_refuse", {"affiliate_id": str(affiliate_id), "client_id": str(refused_id),
                                "reason": "Cuenta duplicada"}),
    ]


async def test_f3_staff_approve_then_pay_a_bank_withdrawal_audited_and_seen_on_the_affiliates_page(
        served: Served) -> None:
    affiliate_id, friend, _ = await earned(served)
    await verify(served, affiliate_id)
    status, requested = await withdraw(served, affiliate_id, 2_500)
    assert status == 201, requested
    async with served.http() as http:
        approved = await http.post(f"/staff/withdrawals/{requested['id']}/approve", headers=staff())
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        twice = await http.post(f"/staff/withdrawals/{requested['id']}/approve", headers=staff())
        assert twice.status_code == 409  # nothing changed
        listed = await http.get("/staff/withdrawals", params={"status": "approved",
                                                              "affiliate_id": str(affiliate_id)}, headers=staff())
        assert [w["id"] for w in listed.json()] == [requested["id"]]
        paid = await http.post(f"/staff/withdrawals/{requested['id']}/paid",
                               json={"transfer_reference": "TRF-2026-0042"}, headers=staff())
        assert paid.status_code == 200 and paid.json()["status"] == "paid"
        page = await http.get(f"/staff/affiliates/{affiliate_id}", headers=staff())
        assert page.status_code == 200, page.text
        forbidden = await http.get(f"/staff/affiliates/{affiliate_id}", headers=auth(affiliate_id))
        unknown = await http.get(f"/staff/affiliates/{uuid.uuid4()}", headers=staff())
    assert (forbidden.status_code, unknown.status_code) == (403, 404)
    body = page.json()
    assert body["affiliate"]["client_id"] == str(affiliate_id) and body["affiliate"]["conversions"] == 1
    assert [a["client_id"] for a in body["attributions"]] == [str(friend)]
    assert {e["entry_type"] for e in body["ledger"]} >= {"commission", "maturation", "withdrawal"}
    assert [(w["status"], w["transfer_reference"], w["account"]) for w in body["withdrawals"]] == [
        ("paid", "TRF-2026-0042", "0110599520000001234567")]
    assert [a["action"] for a in body["audit"]] == ["withdrawal_paid", "withdrawal_approve"]
    assert body["audit"][0]["details"]["transfer_reference"] == "TRF-2026-0042"
    rows = await fetch(served.database_url, "SELECT count(*) AS n FROM audit_log WHERE details->>'withdrawal_id' = $1",
                       requested["id"])
    assert rows[0]["n"] == 2


async def test_f3_an_approved_withdrawal_may_still_be_rejected_and_the_money_returns(served: Served) -> None:
    affiliate_id, _, _ = await earned(served)
    await verify(served, affiliate_id)
    _, requested = await withdraw(served, affiliate_id, 5_000)
    async with served.http() as http:
        await http.post(f"/staff/withdrawals/{requested['id']}/approve", headers=staff())
        rejected = await http.post(f"/staff/withdrawals/{requested['id']}/reject",
                                   json={"reason": "El banco devolvió la transferencia"}, headers=staff())
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
        summary = (await http.get("/affiliates/me", headers=auth(affiliate_id))).json()
    assert summary["balances"][0]["available"]["amount_minor"] == 5_000
    actions = [action for action, _ in await audit_of(served, affiliate_id)]
    assert actions == ["withdrawal_approve", "withdrawal_reject"]
