"""Billing keeps its own copy of each client from the gateway's events (no call back to the gateway)."""

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from abono.auth import Role
from abono.db import asyncpg_dsn
from abono.events import ClientProfile, ClientRegistered, ClientUpdated
from abono.testing import publish_events, test_keys, wait_for


def auth(client_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys().token(Role.CLIENT, user_id=client_id)}"}


async def test_my_billing_profile_needs_a_valid_token(billing: httpx.AsyncClient) -> None:
    response = await billing.get("/clients/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    response = await billing.get("/clients/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.status_code == 401


async def test_client_copy_follows_registration_and_updates_in_any_order(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    client_id = uuid.uuid4()
    assert (await billing.get("/clients/me", headers=auth(client_id))).status_code == 404
    registered_at = datetime.now(UTC)
    registered = ClientRegistered(
        client_id=client_id, occurred_at=registered_at,
        profile=ClientProfile(email="ana@example.test", name="Ana", country="AR", currency="ARS"),
    )
    newer = ClientUpdated(
        client_id=client_id, occurred_at=registered_at + timedelta(minutes=2), changed=["name"],
        profile=ClientProfile(email="ana@example.test", name="Ana María", country="AR", currency="ARS"),
    )
    older = ClientUpdated(
        client_id=client_id, occurred_at=registered_at + timedelta(minutes=1), changed=["name"],
        profile=ClientProfile(email="ana@example.test", name="Ana M.", country="AR", currency="ARS"),
    )
    # The registration is delivered twice and the older update arrives after the newer one.
    await publish_events(registered, registered, newer, older)

    event_ids = [registered.event_id, newer.event_id, older.event_id]

    async def all_applied() -> bool:
        conn = await asyncpg.connect(asyncpg_dsn(billing_db))
        try:
            count = await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])", event_ids)
        finally:
            await conn.close()
        return bool(count == 3)

    await wait_for(all_applied, what="billing to apply the three events")
    body = (await billing.get("/clients/me", headers=auth(client_id))).json()
    assert body == {"id": str(client_id), "email": "ana@example.test", "name": "Ana María", "country": "AR",
                    "currency": "ARS", "language": "es", "referral_code": client_id.hex[:12].upper()}
    # Another client's token sees its own (absent) profile, never Ana's.
    assert (await billing.get("/clients/me", headers=auth(uuid.uuid4()))).status_code == 404
