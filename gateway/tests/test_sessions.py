"""Sessions: login, refresh rotation with family revocation on reuse (RFC 9700), logout, password change,
rate limits."""

import time
import uuid

import httpx

from abono.testing import wait_for
from gateway.app import create_app
from gateway.config import RateLimit


async def refresh(api, token: str) -> httpx.Response:
    return await api.client.post("/api/auth/refresh", json={"refresh_token": token})


async def test_refresh_rotates_and_reuse_revokes_the_family(api):
    account = await api.account()
    first = await refresh(api, account.refresh_token)
    assert first.status_code == 200, first.text
    pair = first.json()
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    assert pair["refresh_token"] != account.refresh_token
    me = await api.client.get("/api/auth/me", headers=api.bearer(pair["access_token"]))
    assert me.status_code == 200

    # The rotated (used) token comes back: someone else holds the family. Both parties are logged out.
    reused = await refresh(api, account.refresh_token)
    assert reused.status_code == 401
    assert reused.headers["content-type"] == "application/problem+json"
    assert (await refresh(api, pair["refresh_token"])).status_code == 401
    revoked = await api.db.fetchval(
        "SELECT bool_and(revoked_at IS NOT NULL) FROM refresh_tokens WHERE user_id = $1::uuid", account.id
    )
    assert revoked is True

    # Another login is another family, untouched.
    again = await api.login(account.email)
    assert (await refresh(api, again["refresh_token"])).status_code == 200


async def test_wrong_password_and_unknown_email_get_the_same_401(api):
    account = await api.account()
    wrong = await api.client.post("/api/auth/login", json={"email": account.email, "password": "wrong password!"})
    unknown = await api.client.post(
        "/api/auth/login", json={"email": api.unique_email("nobody"), "password": "wrong password!"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["content-type"] == "application/problem+json"

    # The unknown e-mail costs a hash verification too: no fast path that would tell it apart.
    started = time.perf_counter()
    await api.client.post("/api/auth/login", json={"email": api.unique_email("nobody"), "password": "x" * 12})
    assert time.perf_counter() - started > 0.01


async def test_logout_ends_the_session(api):
    account = await api.account()
    other_device = await api.login(account.email)
    response = await api.client.post("/api/auth/logout", json={"refresh_token": account.refresh_token})
    assert response.status_code == 204
    assert (await refresh(api, account.refresh_token)).status_code == 401
    assert (await refresh(api, other_device["refresh_token"])).status_code == 200


async def test_password_change_revokes_sessions_and_emits_password_changed(api):
    account = await api.account()
    second = await api.login(account.email)
    wrong = await api.client.post(
        "/api/auth/password",
        headers=account.auth,
        json={"current_password": "not my password", "new_password": "a new password!"},
    )
    assert wrong.status_code == 401
    assert await api.events("gateway.client.password_changed", account.id) == []

    changed = await api.client.post(
        "/api/auth/password",
        headers=account.auth,
        json={"current_password": account.password, "new_password": "a new password!"},
    )
    assert changed.status_code == 204, changed.text

    [event] = await api.events("gateway.client.password_changed", account.id)
    assert event["profile"]["email"] == account.email
    assert (await refresh(api, account.refresh_token)).status_code == 401
    assert (await refresh(api, second["refresh_token"])).status_code == 401
    old = await api.client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert old.status_code == 401
    await api.login(account.email, "a new password!")


async def test_login_and_signup_rate_limits(api, make_settings):
    settings = make_settings(
        login_rate_limit=RateLimit(limit=3, window_seconds=60),
        signup_rate_limit=RateLimit(limit=2, window_seconds=3600),
        admin_email=None,
        admin_password=None,
        trusted_proxies=["127.0.0.0/8"],
    )
    # Behind a trusted proxy the client is the X-Forwarded-For address: a fresh one, with a budget of its own.
    ip = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    headers = {"X-Forwarded-For": f"{ip}, 127.0.0.2"}
    async with api.serve(create_app(settings)) as url, httpx.AsyncClient(base_url=url, headers=headers) as client:
        email = api.unique_email("limited")
        body = {"email": email, "password": api.password, "name": "Limited", "country": "PE"}
        assert (await client.post("/api/auth/signup", json=body)).status_code == 202
        other = {**body, "email": api.unique_email("limited")}
        assert (await client.post("/api/auth/signup", json=other)).status_code == 202
        third = await client.post("/api/auth/signup", json={**body, "email": api.unique_email("limited")})
        assert third.status_code == 429
        assert third.headers["content-type"] == "application/problem+json"
        assert 1 <= int(third.headers["retry-after"]) <= 3600

        bad = {"email": email, "password": "wrong password!"}
        # Windows are fixed and aligned to the minute: begin the login burst with at least half of one left, so a
        # boundary crossed mid-burst (each login hashes a password) cannot reset its count (seen once in CI).
        await wait_for(lambda: time.time() % 60 < 30, within=35, what="the first half of a rate-limit window")
        statuses = [(await client.post("/api/auth/login", json=bad)).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        # The right password does not get past the limit either: it is per IP and e-mail, counted before checking.
        blocked = await client.post("/api/auth/login", json={"email": email, "password": api.password})
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) <= 60
        # Another e-mail from the same IP still has its own budget.
        assert (await client.post("/api/auth/login", json={**bad, "email": other["email"]})).status_code == 401

        # Counters live in PostgreSQL, shared by every replica: a second gateway sees the same budget.
        async with (
            api.serve(create_app(settings)) as url2,
            httpx.AsyncClient(base_url=url2, headers=headers) as replica,
        ):
            again = await replica.post("/api/auth/login", json={"email": email, "password": api.password})
            assert again.status_code == 429
