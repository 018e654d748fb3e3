"""Issue 13 item 2: password reset by e-mail. Asking answers 202 whatever the address (no enumeration); the link
(its token only in the event notify mails) is single-use and expires; using it sets the password, verifies the
address it reached, and ends every session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

NEW_PASSWORD = "a brand new password"


async def _ask(api, email: str):
    return await api.client.post("/api/auth/password-reset", json={"email": email})


async def _reset_token(api, client_id: str) -> str:
    events = await api.events("gateway.client.password_reset_requested", client_id)
    assert events, "no reset link was sent"
    return str(events[-1]["token"])


async def test_reset_answers_the_same_for_unknown_and_known_addresses(api):
    account = await api.account()
    known = await _ask(api, account.email.upper())  # any letter case finds the account
    unknown = await _ask(api, api.unique_email("nobody"))
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content == b""
    events = await api.events("gateway.client.password_reset_requested", account.id)
    assert len(events) == 1
    event = events[0]
    assert event["profile"]["email"] == account.email and len(event["token"]) >= 32
    expires = datetime.fromisoformat(event["expires_at"])
    assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(minutes=60)


async def test_reset_link_sets_the_password_once_and_ends_every_session(api):
    account = await api.account()
    await _ask(api, account.email)
    token = await _reset_token(api, account.id)

    done = await api.client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert done.status_code == 204, done.text
    old_session = await api.client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert old_session.status_code == 401
    old = await api.client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert old.status_code == 401
    await api.login(account.email, NEW_PASSWORD)
    changed = await api.events("gateway.client.password_changed", account.id)
    assert len(changed) == 1  # notify tells the client its password changed
    # The link reached the mailbox: the address counts as verified (EmailVerified for the other services).
    assert len(await api.events("gateway.client.email_verified", account.id)) == 1

    again = await api.client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": "yet another password"}
    )
    assert again.status_code == 400
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["type"].endswith("/invalid-token")


async def test_reset_refuses_unknown_expired_and_superseded_links_changing_nothing(api):
    account = await api.account()
    await _ask(api, account.email)
    first = await _reset_token(api, account.id)
    await _ask(api, account.email)
    second = await _reset_token(api, account.id)

    unknown = await api.client.post(
        "/api/auth/password-reset/confirm", json={"token": "x" * 43, "new_password": NEW_PASSWORD}
    )
    assert unknown.status_code == 400
    weak = await api.client.post("/api/auth/password-reset/confirm", json={"token": second, "new_password": "short"})
    assert weak.status_code == 422

    await api.db.execute(
        "UPDATE password_reset_tokens SET expires_at = now() - interval '1 second' "
        "WHERE user_id = $1::uuid AND created_at = (SELECT max(created_at) FROM password_reset_tokens "
        "WHERE user_id = $1::uuid)",
        account.id,
    )
    expired = await api.client.post(
        "/api/auth/password-reset/confirm", json={"token": second, "new_password": NEW_PASSWORD}
    )
    assert expired.status_code == 400
    await api.login(account.email)  # the password is unchanged
    session = await api.client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert session.status_code == 200

    # The first link still works (each link is its own), and using it kills the other.
    ok = await api.client.post("/api/auth/password-reset/confirm", json={"token": first, "new_password": NEW_PASSWORD})
    assert ok.status_code == 204


async def test_reset_of_a_closed_account_sends_nothing(api):
    account = await api.account()
    await api.db.execute(
        "UPDATE users SET closed_at = now(), closed_reason = 'chargeback' WHERE id = $1::uuid", account.id
    )
    assert (await _ask(api, account.email)).status_code == 202
    assert await api.events("gateway.client.password_reset_requested", account.id) == []


async def test_reset_requests_are_rate_limited_per_address(api):
    account = await api.account()
    answers = [(await _ask(api, account.email)).status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]
    assert len(await api.events("gateway.client.password_reset_requested", account.id)) == 5
