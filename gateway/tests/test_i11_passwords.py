"""Issue 11 item 6: passwords people cannot guess. Sign-up, password change and password reset refuse common and
breached passwords, guessable patterns and passwords built on the person's own e-mail or name (zxcvbn and its
bundled lists, no network), with a 422 `weak-password` problem whose `reason` says why."""

from __future__ import annotations

import uuid

import pytest

from gateway.accounts.strength import personal_words, weakness


def _is_weak(response, reason: str) -> bool:
    body = response.json()
    return (
        response.status_code == 422
        and response.headers["content-type"] == "application/problem+json"
        and body["type"].endswith("/weak-password")
        and body["reason"] == reason
        and len(body["detail"]) > 20
    )


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password123", "common"),
        ("qwertyuiop", "common"),
        ("1234567890", "common"),
        ("iloveyou12", "common"),
        ("abono123456", "common"),  # the platform's own name
        ("19871987abcd", "guessable"),
        ("valentina.rossi2024", "personal"),
        ("rossi valentina", "personal"),
    ],
)
def test_i11_weak_passwords_and_why(password: str, reason: str) -> None:
    assert weakness(password, personal_words("valentina.rossi@example.com", "Valentina Rossi")) == reason


@pytest.mark.parametrize("password", ["correct horse battery", "una-clave-larga-2", "admin-password-for-tests"])
def test_i11_phrases_of_unrelated_words_pass(password: str) -> None:
    assert weakness(password, personal_words("valentina.rossi@example.com", "Valentina Rossi")) is None


async def test_i11_signup_refuses_a_weak_password_alike_for_new_and_taken_emails(api):
    owner = await api.account()
    body = {"password": "password123", "name": "Otro", "country": "AR"}
    new = await api.client.post("/api/auth/signup", json={**body, "email": api.unique_email("weak")})
    taken = await api.client.post("/api/auth/signup", json={**body, "email": owner.email})
    assert _is_weak(new, "common") and _is_weak(taken, "common")
    assert new.json() | {"instance": None} == taken.json() | {"instance": None}
    assert await api.events("gateway.client.signup_repeated", owner.id) == []

    local = f"valentina.rossi.{uuid.uuid4().hex[:6]}"
    personal = await api.client.post(
        "/api/auth/signup",
        json={"email": f"{local}@example.com", "password": f"{local}!", "name": "Valentina Rossi", "country": "AR"},
    )
    assert _is_weak(personal, "personal")
    assert await api.db.fetchval("SELECT count(*) FROM users WHERE email = $1", f"{local}@example.com") == 0


async def test_i11_password_change_refuses_a_weak_password_and_keeps_the_old_one(api):
    account = await api.account()
    changed = await api.client.post(
        "/api/auth/password",
        headers=account.auth,
        json={"current_password": account.password, "new_password": "qwertyuiop123"},
    )
    assert _is_weak(changed, "common")
    await api.login(account.email, account.password)  # nothing changed, no session ended


async def test_i11_password_reset_refuses_a_weak_password_and_the_link_still_works(api):
    account = await api.account()
    assert (await api.client.post("/api/auth/password-reset", json={"email": account.email})).status_code == 202
    [event] = await api.events("gateway.client.password_reset_requested", account.id)
    confirm = {"token": event["token"], "new_password": "1234567890"}
    refused = await api.client.post("/api/auth/password-reset/confirm", json=confirm)
    assert _is_weak(refused, "common")
    done = await api.client.post(
        "/api/auth/password-reset/confirm", json={**confirm, "new_password": "otra frase larga y rara"}
    )
    assert done.status_code == 204, done.text
    await api.login(account.email, "otra frase larga y rara")
