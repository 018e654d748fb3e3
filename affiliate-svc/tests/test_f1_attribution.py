"""F-1: the referral link (public visit, 90-day cookie, redirect to sign-up), attribution once, the 90-day
window on platform time, self-referral refused and suspicious sign-ups held for staff."""

import uuid
from datetime import timedelta

from affiliate_testkit import (
    Served,
    activate,
    auth,
    fetch,
    me,
    new_affiliate,
    paid,
    publish,
    registered,
    staff,
    wait_applied,
)

from abono.events import ClientVerified
from abono.events.catalog import REFERRAL_VISIT_COOKIE


async def visit(served: Served, code: str, *, address: str = "198.51.100.7") -> str | None:
    """Follow a referral link; returns the cookie it set (None: none)."""
    async with served.http() as http:
        response = await http.get(f"/r/{code}", headers={"X-Forwarded-For": address})
    assert response.status_code == 302, response.text
    assert response.headers["location"] == "/sign-up"
    return response.cookies.get(REFERRAL_VISIT_COOKIE)


async def attribution(served: Served, client_id: uuid.UUID) -> tuple[str, str, str] | None:
    rows = await fetch(served.database_url, "SELECT status, source, reason FROM attributions WHERE client_id = $1",
                       client_id)
    return (rows[0]["status"], rows[0]["source"], rows[0]["reason"]) if rows else None


async def test_f1_activation_gives_a_short_link_and_is_idempotent(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    assert code == affiliate_id.hex[:12].upper()  # the same code billing's referral month uses (B-12/F-4)
    again = await activate(served, affiliate_id)
    assert again["code"] == code and again["link"].endswith(f"/r/{code}")  # the gateway's short alias
    summary = await me(served, affiliate_id)
    assert (summary["visits"], summary["signups"], summary["conversions"]) == (0, 0, 0)


async def test_f1_visit_records_and_sets_a_90_day_first_party_cookie(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    async with served.http() as http:
        response = await http.get(f"/r/{code.lower()}", headers={"X-Forwarded-For": "198.51.100.9"})
    assert response.status_code == 302 and response.headers["location"] == "/sign-up"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{REFERRAL_VISIT_COOKIE}=")
    assert "Max-Age=7776000" in cookie and "Path=/" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert (await me(served, affiliate_id))["visits"] == 1
    rows = await fetch(served.database_url, "SELECT * FROM visits WHERE affiliate_id = $1", affiliate_id)
    # No personal data beyond attribution: no address (only a keyed hash), no user agent.
    assert "198.51.100.9" not in str(dict(rows[0])) and set(rows[0].keys()) == {
        "id", "affiliate_id", "visited_at", "ip_hash", "own_address"}


async def test_f1_unknown_code_leads_to_signup_without_cookie_and_bad_code_is_a_problem(served: Served) -> None:
    assert await visit(served, "ABCDEF012345") is None
    async with served.http() as http:
        response = await http.get("/r/not-a-code")
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"


async def test_f1_visit_day_0_signup_day_89_attributed_day_91_not(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    first, second = await visit(served, code), await visit(served, code)
    assert first and second
    visited = {r["id"]: r["visited_at"] for r in await fetch(
        served.database_url, "SELECT id, visited_at FROM visits WHERE affiliate_id = $1", affiliate_id)}
    on_89 = registered(visit=first, at=visited[uuid.UUID(first)] + timedelta(days=89))
    on_91 = registered(visit=second, at=visited[uuid.UUID(second)] + timedelta(days=91))
    await publish(on_89, on_91)
    await wait_applied(served, on_89, on_91)
    assert await attribution(served, on_89.client_id) == ("attributed", "link", "")
    assert await attribution(served, on_91.client_id) is None
    assert (await me(served, affiliate_id))["signups"] == 1


async def test_f1_a_signup_is_attributed_once(served: Served) -> None:
    first_affiliate, first_code = await new_affiliate(served)
    other_affiliate, other_code = await new_affiliate(served)
    signup = registered(code=first_code)
    replay = signup.model_copy(update={"event_id": uuid.uuid4(), "referral_code": other_code})
    await publish(signup, signup, replay)  # a redelivery, and a second event naming another affiliate
    await wait_applied(served, signup, replay)
    rows = await fetch(served.database_url, "SELECT affiliate_id FROM attributions WHERE client_id = $1",
                       signup.client_id)
    assert [r["affiliate_id"] for r in rows] == [first_affiliate]
    assert (await me(served, other_affiliate))["signups"] == 0
    outbox = await fetch(served.database_url, "SELECT count(*) AS n FROM outbox WHERE routing_key = $1 "
                         "AND payload->>'client_id' = $2", "affiliate.referral.attributed", str(signup.client_id))
    assert outbox[0]["n"] == 1


async def test_f1_self_referral_by_the_same_email_is_refused(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served, email="Ana.Perez@gmail.com")
    cookie = await visit(served, code)
    twin = registered(email="anaperez+ref@googlemail.com", visit=cookie)
    await publish(twin)
    await wait_applied(served, twin)
    assert await attribution(served, twin.client_id) == ("refused", "link", "self-referral: same e-mail")
    assert (await me(served, affiliate_id))["signups"] == 0


async def test_f1_visit_from_the_affiliates_own_address_is_held_until_staff_approve(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)  # activated from 203.0.113.1
    cookie = await visit(served, code, address="203.0.113.1")
    signup = registered(visit=cookie, at=served.clock.now())
    await publish(signup)
    await wait_applied(served, signup)
    status, _, reason = await attribution(served, signup.client_id) or ("", "", "")
    assert status == "held" and "own address" in reason
    invoice = paid(signup.client_id, total=20_000, at=served.clock.now())
    await publish(invoice)
    await wait_applied(served, invoice)
    assert (await me(served, affiliate_id))["balances"] == []  # held: nothing earned yet
    async with served.http() as http:
        listed = await http.get("/staff/attributions", params={"status": "held"}, headers=staff())
        assert str(signup.client_id) in {a["client_id"] for a in listed.json()}
        forbidden = await http.get("/staff/attributions", headers=auth(affiliate_id))
        assert forbidden.status_code == 403
        approved = await http.post(f"/staff/attributions/{signup.client_id}/approve", json={"reason": "family"},
                                   headers=staff())
        assert approved.status_code == 200 and approved.json()["status"] == "attributed"
        again = await http.post(f"/staff/attributions/{signup.client_id}/approve", json={}, headers=staff())
        assert again.status_code == 409
    summary = await me(served, affiliate_id)
    assert summary["signups"] == 1 and summary["balances"][0]["pending"]["amount_minor"] == 2_000


async def test_f1_same_document_found_at_verification_refuses_and_reverses(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    signup = registered(code=code)
    invoice = paid(signup.client_id, total=10_000, at=served.clock.now())
    await publish(signup)
    await wait_applied(served, signup)
    await publish(invoice)
    await wait_applied(served, invoice)
    assert (await me(served, affiliate_id))["balances"][0]["pending"]["amount_minor"] == 1_000
    mine = ClientVerified(client_id=affiliate_id, legal_name="Ana Pérez", document_fingerprint="doc-123")
    theirs = ClientVerified(client_id=signup.client_id, legal_name="Ana Perez", document_fingerprint="doc-123")
    await publish(mine, theirs)
    await wait_applied(served, mine, theirs)
    assert await attribution(served, signup.client_id) == ("refused", "code", "self-referral: same document")
    assert (await me(served, affiliate_id))["balances"][0]["pending"]["amount_minor"] == 0


async def test_f1_same_payer_fingerprint_refuses(served: Served) -> None:
    affiliate_id, code = await new_affiliate(served)
    own = paid(affiliate_id, at=served.clock.now(), fingerprint="card-fp-1")
    await publish(own)
    await wait_applied(served, own)
    signup = registered(code=code)
    await publish(signup)
    await wait_applied(served, signup)
    theirs = paid(signup.client_id, at=served.clock.now(), fingerprint="card-fp-1")
    await publish(theirs)
    await wait_applied(served, theirs)
    assert await attribution(served, signup.client_id) == ("refused", "code", "self-referral: same payer")
    assert (await me(served, affiliate_id))["balances"] == []


async def test_f1_too_many_signups_in_a_day_are_held(served: Served) -> None:
    _, code = await new_affiliate(served)
    signups = [registered(code=code, at=served.clock.now()) for _ in range(6)]
    for signup in signups:  # one at a time: each counts the ones before
        await publish(signup)
        await wait_applied(served, signup)
    statuses = [(await attribution(served, s.client_id) or ("",))[0] for s in signups]
    assert statuses == ["attributed"] * 5 + ["held"]
