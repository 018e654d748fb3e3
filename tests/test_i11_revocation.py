"""Issue 11 item 5: a closed account's access tokens stop working at every service at once, and so do the tokens
issued before a password change that ended the account's sessions (abono.revocation)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

from abono.events import ClientClosed
from abono.testing import E2E_AMQP_URL, publish_events, wait_for

if TYPE_CHECKING:
    from conftest import Platform

PASSWORD = "una-clave-bien-larga"
# Every service answers /whoami only for a token it accepts; the gateway's own too.
SERVICES = ("billing", "provisioning", "notify", "support", "affiliate")


async def _sign_up(gateway: httpx.AsyncClient, platform: Platform) -> tuple[str, dict[str, str]]:
    email = f"revoke-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup",
                                json={"email": email, "password": PASSWORD, "name": "Iris", "country": "AR"})
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)
    return await platform.client_id(gateway, headers), headers


async def _statuses(gateway: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, int]:
    return {svc: (await gateway.get(f"/api/{svc}/whoami", headers=headers)).status_code for svc in SERVICES}


async def test_i11_b17_a_closed_accounts_token_is_refused_by_every_service(
    gateway: httpx.AsyncClient, platform: Platform
) -> None:
    client_id, headers = await _sign_up(gateway, platform)
    _, bystander = await _sign_up(gateway, platform)
    assert await _statuses(gateway, headers) == dict.fromkeys(SERVICES, 200)

    # What the gateway emits when a chargeback closes the account (gateway/tests/test_b17_*: the closure itself).
    # Published here as the gateway's relay would, on the platform's virtual host.
    await publish_events(ClientClosed(client_id=uuid.UUID(client_id), reason="chargeback", rule="B-17"),
                         amqp_url=E2E_AMQP_URL)

    async def refused_everywhere() -> bool:
        return await _statuses(gateway, headers) == dict.fromkeys(SERVICES, 403)

    await wait_for(refused_everywhere, within=30, what="every service to refuse the closed account's token")
    answer = await gateway.get("/api/billing/whoami", headers=headers)
    assert answer.json()["type"].endswith("/account-closed")
    # Nobody else is touched.
    assert await _statuses(gateway, bystander) == dict.fromkeys(SERVICES, 200)


async def test_i11_a_password_change_ends_the_old_tokens_everywhere_and_new_ones_work(
    gateway: httpx.AsyncClient, platform: Platform
) -> None:
    _, old = await _sign_up(gateway, platform)
    me = (await gateway.get("/api/auth/me", headers=old)).json()
    changed = await gateway.post("/api/auth/password", headers=old,
                                 json={"current_password": PASSWORD, "new_password": "otra-clave-muy-larga-9"})
    assert changed.status_code == 204, changed.text
    # Logged in again at once, in the same second as the change: this token must keep working.
    new = await platform.login(gateway, me["email"], "otra-clave-muy-larga-9")

    async def old_refused_everywhere() -> bool:
        return await _statuses(gateway, old) == dict.fromkeys(SERVICES, 401)

    await wait_for(old_refused_everywhere, within=30, what="every service to refuse the token issued before the change")
    assert await _statuses(gateway, new) == dict.fromkeys(SERVICES, 200)


async def test_i11_signing_out_everywhere_ends_the_access_tokens_too(
    gateway: httpx.AsyncClient, platform: Platform
) -> None:
    """"Log out everywhere" (a lost device): the refresh tokens die at once, and every service refuses the access
    tokens already issued (`SessionsEnded`), instead of honouring them until they expire."""
    _, old = await _sign_up(gateway, platform)
    _, bystander = await _sign_up(gateway, platform)
    ended = await gateway.post("/api/auth/sessions/revoke-all", headers=old)
    assert ended.status_code == 204, ended.text

    async def old_refused_everywhere() -> bool:
        return await _statuses(gateway, old) == dict.fromkeys(SERVICES, 401)

    await wait_for(old_refused_everywhere, within=30, what="every service to refuse the signed-out token")
    assert await _statuses(gateway, bystander) == dict.fromkeys(SERVICES, 200)
