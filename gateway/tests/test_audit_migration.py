"""#13: the gateway keeps one audit trail. Migration 0012 moves the second-factor and security-policy entries of
`audit_log` into `staff_audit` beside the staff actions, in their order, with the actor's email, and drops
`audit_log`; its downgrade moves them back. Checked on a database built from the Alembic history."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import asyncpg
from alembic import command

from abono.migrations import alembic_config, upgrade
from abono.testing import REPO_ROOT, recreate_database

GATEWAY = REPO_ROOT / "gateway"
AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def test_one_audit_trail_keeps_the_totp_entries_and_gives_them_back_on_downgrade() -> None:
    url = await recreate_database("abono_test_gateway_audit_migration")
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    await asyncio.to_thread(upgrade, GATEWAY, url, "0011")
    admin, gone = uuid.uuid4(), uuid.uuid4()
    db = await asyncpg.connect(dsn)
    try:
        await db.execute(
            "INSERT INTO users (id, email, password_hash, role, name, currency, language, created_at, updated_at) "
            "VALUES ($1, 'ana@example.test', 'x', 'admin', 'Ana', 'ARS', 'es', $2, $2)", admin, AT)
        await db.execute(
            "INSERT INTO staff_audit (actor_id, actor_email, action, client_id, details, at) "
            "VALUES ($1, 'ana@example.test', 'close_account', $2, '{\"reason\": \"fraude\"}', $3)", admin, gone, AT)
        await db.executemany(
            "INSERT INTO audit_log (actor_id, action, details, at) VALUES ($1, $2, $3, $4)",
            [(admin, "security_policy_set", json.dumps({"after": {"require_staff_totp": True}}), AT),
             (gone, "totp_enabled", "{}", AT)])
    finally:
        await db.close()

    await asyncio.to_thread(upgrade, GATEWAY, url, "0012")
    db = await asyncpg.connect(dsn)
    try:
        rows = await db.fetch(
            "SELECT actor_id, actor_email, action, client_id, details, at FROM staff_audit ORDER BY id"
        )
        assert await db.fetchval("SELECT to_regclass('audit_log')") is None
    finally:
        await db.close()
    assert [(r["actor_id"], r["actor_email"], r["action"], r["client_id"]) for r in rows] == [
        (admin, "ana@example.test", "close_account", gone),
        (admin, "ana@example.test", "security_policy_set", None),  # the email from the actor's account
        (gone, "", "totp_enabled", None),  # an account since deleted: no email, the entry kept
    ]
    assert json.loads(rows[1]["details"]) == {"after": {"require_staff_totp": True}} and rows[1]["at"] == AT

    await asyncio.to_thread(command.downgrade, alembic_config(GATEWAY, url), "0011")
    db = await asyncpg.connect(dsn)
    try:
        staff = await db.fetch("SELECT action FROM staff_audit ORDER BY id")
        totp = await db.fetch("SELECT actor_id, action FROM audit_log ORDER BY id")
    finally:
        await db.close()
    assert [r["action"] for r in staff] == ["close_account"]
    assert [(r["actor_id"], r["action"]) for r in totp] == [(admin, "security_policy_set"), (gone, "totp_enabled")]
