"""Issue 11 item 4: sign-up does not tell whether an e-mail has an account. A taken e-mail answers exactly as a new
one (status, headers, body shape), costs the same password hash, and mails its owner "you already have an
account" instead (SignupForExistingAccount). Lookups that must exist (offering a service to an e-mail) are
rate-limited per client IP at the gateway."""

from __future__ import annotations

import uuid

import httpx

from gateway.accounts import service as accounts_service
from gateway.app import create_app
from gateway.config import RateLimit

# Headers that differ between any two answers, whatever they say.
VOLATILE = {"date", "x-request-id", "content-length"}


def _shape(response: httpx.Response) -> tuple[int, str, list[str], list[str]]:
    headers = sorted(name for name in response.headers if name.lower() not in VOLATILE)
    return response.status_code, response.headers["content-type"], sorted(response.json()), headers


async def _signup(api, email: str, **fields) -> httpx.Response:
    body = {"email": email, "password": api.password, "name": "Quien Sea", "country": "AR", **fields}
    return await api.client.post("/api/auth/signup", json=body)


async def test_i11_signup_with_a_taken_email_answers_as_a_new_one_and_mails_the_owner(api):
    owner = await api.account(name="Dueña Original")
    users_before = await api.db.fetchval("SELECT count(*) FROM users")

    taken = await _signup(api, owner.email.swapcase(), password="otra clave distinta 9", name="Intruso")
    new = await _signup(api, api.unique_email("new"))
    assert _shape(taken) == _shape(new)
    assert taken.status_code == 202 and taken.json()["next_step"] == new.json()["next_step"] == "check_email"
    assert taken.json()["email"].lower() == owner.email.lower()  # echoes what was sent, nothing of the account

    # One account more (the new one), none for the repeat; the owner's account is untouched.
    assert await api.db.fetchval("SELECT count(*) FROM users") == users_before + 1
    assert (await api.user(owner.email))["name"] == "Dueña Original"
    await api.login(owner.email, api.password)
    # The owner is told, in its own words; nothing else is sent for it (no second welcome, no verification link).
    [notice] = await api.events("gateway.client.signup_repeated", owner.id)
    assert notice["profile"]["email"] == owner.email and notice["profile"]["name"] == "Dueña Original"
    assert len(await api.events("gateway.client.registered", owner.id)) == 1
    assert len(await api.events("gateway.client.verification_requested", owner.id)) == 1


async def test_i11_a_closed_accounts_email_answers_the_same_and_mails_nothing(api):
    owner = await api.account()
    await api.db.execute(
        "UPDATE users SET closed_at = now(), closed_reason = 'chargeback' WHERE id = $1::uuid", owner.id
    )
    taken, new = await _signup(api, owner.email), await _signup(api, api.unique_email("new"))
    assert _shape(taken) == _shape(new)
    assert await api.events("gateway.client.signup_repeated", owner.id) == []


async def test_i11_a_taken_email_costs_the_same_password_hash(api, monkeypatch):
    """No shortcut for a taken e-mail: both ways hash the password once (the hash, ~tens of ms of argon2, is what
    takes time; the rest is a few queries either way). Counted, not timed: a wall-clock comparison on a shared CI
    machine failed by load alone (timing belongs in bench/)."""
    hashed: list[str] = []
    real = accounts_service.hash_password

    async def counting(password: str) -> str:
        hashed.append(password)
        return await real(password)

    monkeypatch.setattr(accounts_service, "hash_password", counting)
    owner = await api.account()
    hashed.clear()
    assert (await _signup(api, owner.email)).status_code == 202
    assert len(hashed) == 1
    hashed.clear()
    assert (await _signup(api, api.unique_email("new"))).status_code == 202
    assert len(hashed) == 1
    hashed.clear()
    for _ in range(3):  # every time, not only the first
        assert (await _signup(api, owner.email)).status_code == 202
    assert len(hashed) == 3


async def test_i11_offers_naming_another_client_are_rate_limited_per_ip(api, make_settings):
    settings = make_settings(
        lookup_rate_limit=RateLimit(limit=2, window_seconds=3600),
        lookup_routes=["POST /api/fake/echo/services/[^/]+/transfers"],
        trusted_proxies=["127.0.0.0/8"],
        admin_email=None,
        admin_password=None,
    )
    ip = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    headers = {"X-Forwarded-For": f"{ip}, 127.0.0.2"}
    async with api.serve(create_app(settings)) as url, httpx.AsyncClient(base_url=url, headers=headers) as client:
        offer = "/api/fake/echo/services/abc/transfers"
        assert [(await client.post(offer, json={"to_email": "x@y.test"})).status_code for _ in range(2)] == [200, 200]
        third = await client.post(offer, json={"to_email": "z@y.test"})
        assert third.status_code == 429 and third.headers["content-type"] == "application/problem+json"
        assert 1 <= int(third.headers["retry-after"]) <= 3600
        # Other routes, and other methods on the same path, are not on this budget.
        assert (await client.get(offer)).status_code == 200
        assert (await client.post("/api/fake/echo/services/abc/renew")).status_code == 200
        other_ip = {"X-Forwarded-For": f"2001:db8::{uuid.uuid4().hex[:4]}:1, 127.0.0.2"}
        assert (await client.post(offer, json={}, headers=other_ip)).status_code == 200
