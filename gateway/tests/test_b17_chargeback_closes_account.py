"""B-17: billing's ChargebackReceived closes the account at once: no login, no refresh, ClientClosed once."""

import uuid
from datetime import UTC, datetime

from abono.events import ChargebackReceived, Event
from abono.testing import publish_events, wait_for

QUEUE = "gateway.accounts"


async def publish_as_billing(*events: Event) -> None:
    """As billing's relay does; retried until the gateway's queue is bound."""
    await publish_events(*events, until_routed=True)


def chargeback(client_id: str, dispute_id: str = "dp_1") -> ChargebackReceived:
    return ChargebackReceived(
        client_id=uuid.UUID(client_id),
        invoice_id=uuid.uuid4(),
        provider="stripe",
        provider_payment_id="pi_123",
        dispute_id=dispute_id,
        occurred_at=datetime.now(UTC),
    )


async def applied(api, *events: Event) -> None:
    ids = [e.event_id for e in events]

    async def done() -> bool:
        count = await api.db.fetchval(
            "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])", QUEUE, ids
        )
        return bool(count == len(set(ids)))

    await wait_for(done, what="the gateway to apply the chargeback")


async def test_b17_chargeback_closes_the_account_once(api):
    account = await api.account()
    await api.login(account.email)  # a second session (refresh-token family)
    event = chargeback(account.id)

    # Delivered twice (a duplicate publish): applied once.
    await publish_as_billing(event, event)
    await applied(api, event)
    closed = await api.events("gateway.client.closed", account.id)
    assert len(closed) == 1
    assert closed[0]["reason"] == "chargeback" and closed[0]["rule"] == "B-17"
    assert closed[0]["profile"]["email"] == account.email

    # A second chargeback (another dispute) for the closed account changes nothing.
    row = await api.db.fetchrow(
        "SELECT closed_at, closed_reason, updated_at FROM users WHERE id = $1::uuid", account.id
    )
    second = chargeback(account.id, dispute_id="dp_2")
    await publish_as_billing(second)
    await applied(api, second)
    assert len(await api.events("gateway.client.closed", account.id)) == 1
    again = await api.db.fetchrow(
        "SELECT closed_at, closed_reason, updated_at FROM users WHERE id = $1::uuid", account.id
    )
    assert again == row and row["closed_reason"] == "chargeback" and row["closed_at"] is not None

    # Every session is revoked.
    revoked = await api.db.fetchval(
        "SELECT bool_and(revoked_at IS NOT NULL) FROM refresh_tokens WHERE user_id = $1::uuid", account.id
    )
    assert revoked is True


async def test_b17_a_closed_account_cannot_log_in_or_refresh(api):
    account = await api.account()
    other_device = await api.login(account.email)
    event = chargeback(account.id)
    await publish_as_billing(event)
    await applied(api, event)

    # The right password: 403 account-closed.
    login = await api.client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert login.status_code == 403, login.text
    assert login.headers["content-type"] == "application/problem+json"
    assert login.json()["type"].endswith("/account-closed")
    assert "closed" in login.json()["detail"]

    # A wrong password gets the ordinary 401: the closure does not confirm a guessed password is wrong or right.
    wrong = await api.client.post("/api/auth/login", json={"email": account.email, "password": "wrong password!"})
    unknown = await api.client.post(
        "/api/auth/login", json={"email": api.unique_email("nobody"), "password": "wrong password!"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()

    # Both sessions' refresh tokens are refused.
    for token in (account.refresh_token, other_device["refresh_token"]):
        refreshed = await api.client.post("/api/auth/refresh", json={"refresh_token": token})
        assert refreshed.status_code == 401
        assert refreshed.headers["content-type"] == "application/problem+json"

    # The gateway's own account endpoints refuse the still-valid access token at once ...
    me = await api.client.get("/api/auth/me", headers=account.auth)
    assert me.status_code == 403 and me.json()["type"].endswith("/account-closed")
    # ... and so does every service once it consumed ClientClosed (issue 11, abono.revocation): the gateway too.
    async def whoami_refused() -> bool:
        return (await api.client.get("/whoami", headers=account.auth)).status_code == 403

    await wait_for(whoami_refused, within=30, what="the gateway's revocation list to learn of the closure")


async def test_b17_staff_see_the_closed_state(api):
    account = await api.account()
    admin = api.bearer(await api.admin_token())
    before = (await api.client.get(f"/api/auth/users/{account.id}", headers=admin)).json()
    assert before["closed_at"] is None and before["closed_reason"] is None

    event = chargeback(account.id)
    await publish_as_billing(event)
    await applied(api, event)
    after = await api.client.get(f"/api/auth/users/{account.id}", headers=admin)
    assert after.status_code == 200
    assert after.json()["closed_reason"] == "chargeback"
    assert after.json()["closed_at"] is not None


async def test_b17_a_chargeback_for_an_unknown_account_is_acked_without_effect(api):
    client_id = str(uuid.uuid4())
    event = chargeback(client_id)
    await publish_as_billing(event)
    await applied(api, event)
    assert await api.events("gateway.client.closed", client_id) == []
    seen = await api.db.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event.event_id)
    assert seen == 1
