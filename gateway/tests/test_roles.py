"""Roles: only an admin changes roles, staff may read accounts, the bootstrap admin and the CLI."""

import asyncio
import json
import os
import subprocess
import sys
import uuid

from gateway import cli


async def test_only_an_admin_changes_roles_and_the_new_role_comes_with_the_next_refresh(api):
    client_account = await api.account()
    target = await api.account()
    path = f"/api/auth/users/{target.id}/role"

    assert (await api.client.patch(path, json={"role": "staff"})).status_code == 401
    forbidden = await api.client.patch(path, headers=client_account.auth, json={"role": "staff"})
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"

    admin = api.bearer(await api.admin_token())
    promoted = await api.client.patch(path, headers=admin, json={"role": "staff"})
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "staff"
    # S-3: notify learns who is staff (its roster of who is told of escalated tickets); once, as the role changed.
    assert (await api.client.patch(path, headers=admin, json={"role": "staff"})).status_code == 200
    announced = await api.db.fetch(
        "SELECT payload FROM outbox WHERE routing_key = 'gateway.staff.role_changed' AND payload->>'staff_id' = $1",
        str(target.id),
    )
    assert [json.loads(r["payload"])["role"] for r in announced] == ["staff"]
    assert json.loads(announced[0]["payload"])["profile"]["email"] == target.email
    assert (await api.client.patch(path, headers=admin, json={"role": "owner"})).status_code == 422
    missing = await api.client.patch(f"/api/auth/users/{uuid.uuid4()}/role", headers=admin, json={"role": "staff"})
    assert missing.status_code == 404

    # The old access token still says client until it is refreshed.
    refreshed = await api.client.post("/api/auth/refresh", json={"refresh_token": target.refresh_token})
    staff = api.bearer(refreshed.json()["access_token"])
    whoami = await api.client.get("/whoami", headers=staff)
    assert whoami.json()["role"] == "staff"

    # Staff read accounts but cannot change roles.
    assert (await api.client.get(f"/api/auth/users/{client_account.id}", headers=staff)).status_code == 200
    assert (await api.client.get(f"/api/auth/users/{target.id}", headers=client_account.auth)).status_code == 403
    assert (
        await api.client.patch(f"/api/auth/users/{client_account.id}/role", headers=staff, json={"role": "admin"})
    ).status_code == 403


async def test_an_admin_cannot_change_its_own_role(api):
    token = await api.admin_token()
    me = (await api.client.get("/api/auth/me", headers=api.bearer(token))).json()
    assert me["role"] == "admin" and me["email_verified_at"] is not None
    response = await api.client.patch(
        f"/api/auth/users/{me['id']}/role", headers=api.bearer(token), json={"role": "client"}
    )
    assert response.status_code == 409


async def test_cli_creates_a_verified_user(api, database_url, monkeypatch, capsys):
    email = api.unique_email("cli-staff")
    env = {**os.environ, "GATEWAY_DATABASE_URL": database_url}
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "create-user",
            "--email",
            email,
            "--password",
            "cli-password-1",
            "--role",
            "staff",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    user_id = created.stdout.strip()
    row = await api.db.fetchrow("SELECT role, email_verified_at FROM users WHERE id = $1::uuid", user_id)
    assert row["role"] == "staff" and row["email_verified_at"] is not None
    announced = await api.db.fetch(
        "SELECT routing_key FROM outbox WHERE payload->>'staff_id' = $1 ORDER BY id", user_id
    )
    assert [k["routing_key"] for k in announced] == ["gateway.staff.role_changed"]
    await api.login(email, "cli-password-1")

    # The same again, in-process (its own event loop in a thread) to save a second interpreter start.
    monkeypatch.setenv("GATEWAY_DATABASE_URL", database_url)
    argv = ["create-user", "--email", email.upper(), "--password", "cli-password-1"]
    assert await asyncio.to_thread(cli.main, argv) == 1
    assert "already exists" in capsys.readouterr().err
    assert await asyncio.to_thread(cli.main, ["create-user", "--email", "nope", "--password", "cli-password-1"]) == 2

    # A client made by the CLI is announced like a verified sign-up: its copies elsewhere know it is verified.
    client_email = api.unique_email("cli-client")
    argv = ["create-user", "--email", client_email, "--password", "cli-password-1"]
    assert await asyncio.to_thread(cli.main, argv) == 0
    client_id = capsys.readouterr().out.strip()
    keys = await api.db.fetch(
        "SELECT routing_key FROM outbox WHERE payload->>'client_id' = $1 ORDER BY id", client_id
    )
    assert [k["routing_key"] for k in keys] == ["gateway.client.registered", "gateway.client.email_verified"]
