"""Accounts: sign-up (A-1), e-mail verification, profile edits and the events they write to the outbox."""

import asyncio
import json

import aio_pika
import pytest

from abono.testing import AMQP_URL


async def test_signup_verify_login_and_me(api):
    user = await api.sign_up(currency=None, phone="+54 11 5555-0000", language="en")
    assert user["role"] == "client"
    assert user["currency"] == "ARS"  # defaulted from the country
    assert user["email_verified_at"] is None

    [registered] = await api.events("gateway.client.registered", user["id"])
    assert registered["profile"] == {
        "email": user["email"],
        "name": "Ana Pérez",
        "phone": "+54 11 5555-0000",
        "language": "en",
        "country": "AR",
        "currency": "ARS",
    }
    token = await api.verification_token(user["id"])
    # Only the token's SHA-256 is stored.
    stored = await api.db.fetchval(
        "SELECT count(*) FROM email_verification_tokens WHERE token_hash = $1", token.encode()
    )
    assert stored == 0

    verified = await api.client.post("/api/auth/verify-email", json={"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json()["email_verified_at"] is not None
    assert len(await api.events("gateway.client.email_verified", user["id"])) == 1

    again = await api.client.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 400
    assert again.headers["content-type"] == "application/problem+json"

    tokens = await api.login(user["email"].upper())  # e-mails match in any case
    me = await api.client.get("/api/auth/me", headers=api.bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == user["id"]


async def test_a1_concurrent_signups_with_one_email_create_one_account(api):
    email = api.unique_email("race")
    body = {"password": api.password, "name": "Racer", "country": "CL"}
    responses = await asyncio.gather(
        *(
            api.client.post("/api/auth/signup", json={**body, "email": variant})
            for variant in (email, email.upper(), email.lower())
        )
    )
    # Issue 11: the losers answer as the winner does; the owner is mailed "you already have an account" twice.
    assert [r.status_code for r in responses] == [202, 202, 202]
    assert await api.db.fetchval("SELECT count(*) FROM users WHERE lower(email) = lower($1)", email) == 1
    user = await api.user(email)
    assert len(await api.events("gateway.client.signup_repeated", user["id"])) == 2


@pytest.mark.parametrize(
    "change",
    [
        {"password": "short"},
        {"email": "not-an-email"},
        {"country": "XX"},
        {"currency": "ZZZ"},
        {"language": "fr"},
        {"role": "admin"},  # unknown fields are refused, so nobody signs up as admin
    ],
)
async def test_signup_validation_is_strict(api, change):
    body = {"email": api.unique_email(), "password": api.password, "name": "Ana", "country": "AR", **change}
    response = await api.client.post("/api/auth/signup", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_profile_edit_emits_client_updated_with_the_changed_fields(api):
    account = await api.account()
    response = await api.client.patch(
        "/api/auth/me", headers=account.auth, json={"name": "Ana María", "language": "es", "country": "uy"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["country"] == "UY"
    assert response.json()["currency"] == "ARS"  # the billing currency does not follow the country

    [updated] = await api.events("gateway.client.updated", account.id)
    assert sorted(updated["changed"]) == ["country", "name"]  # language was already "es"
    assert updated["profile"]["name"] == "Ana María"

    unchanged = await api.client.patch("/api/auth/me", headers=account.auth, json={"name": "Ana María"})
    assert unchanged.status_code == 200
    assert len(await api.events("gateway.client.updated", account.id)) == 1

    refused = await api.client.patch("/api/auth/me", headers=account.auth, json={"name": None})
    assert refused.status_code == 422
    no_auth = await api.client.patch("/api/auth/me", json={"name": "X"})
    assert no_auth.status_code == 401


async def test_resend_verification_then_any_link_verifies_once(api):
    account = await api.account()
    first = await api.verification_token(account.id)
    resent = await api.client.post("/api/auth/verification", headers=account.auth)
    assert resent.status_code == 202
    second = await api.verification_token(account.id)
    assert second != first

    assert (await api.client.post("/api/auth/verify-email", json={"token": first})).status_code == 200
    # Verifying spent every pending link of the account.
    assert (await api.client.post("/api/auth/verify-email", json={"token": second})).status_code == 400
    assert (await api.client.post("/api/auth/verification", headers=account.auth)).status_code == 204


async def test_signup_events_reach_the_broker(api):
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange("abono.events")
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, "gateway.client.*")
        user = await api.sign_up()

        seen: set[str] = set()
        async with asyncio.timeout(10):
            async with queue.iterator() as messages:
                async for message in messages:
                    async with message.process():
                        body = json.loads(message.body)
                        if body.get("client_id") == user["id"]:
                            seen.add(message.routing_key or "")
                    if seen >= {"gateway.client.registered", "gateway.client.verification_requested"}:
                        break


async def test_f1_signup_carries_the_referral_link_cookie_on_client_registered(api):
    visit = "0b6f3c1e-8d2a-4f7b-9c4e-1a2b3c4d5e6f"
    body = {"email": api.unique_email(), "password": "una-clave-larga-2", "name": "Amiga", "country": "AR"}
    response = await api.client.post("/api/auth/signup", json=body, headers={"Cookie": f"abono_ref={visit}"})
    assert response.status_code == 202, response.text
    [registered] = await api.events("gateway.client.registered", (await api.user(body["email"]))["id"])
    assert registered["referral_visit"] == visit
    forged = {**body, "email": api.unique_email()}
    response = await api.client.post("/api/auth/signup", json=forged, headers={"Cookie": 'abono_ref="<script>"'})
    [registered] = await api.events("gateway.client.registered", (await api.user(forged["email"]))["id"])
    assert registered["referral_visit"] is None  # not a visit id: dropped
