"""#19 item 7: `make backup` / `make restore` (scripts/backup.py). A client with a paid and an open invoice is backed
up (every service's database and the broker's definitions), restored into fresh databases and a fresh virtual host,
and the restored installation holds the same invoices, the same rows in every table and the same exchanges and
queues."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import httpx

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import E2E_AMQP_URL, namespaced, recreate_database, wait_for
from billing.catalog.seeding import load_seed_catalog

if TYPE_CHECKING:
    from conftest import Platform

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "una-clave-bien-larga"
INVOICES = "SELECT id, number, client_id, status, kind, currency, total_minor FROM invoices ORDER BY id"
# Tables whose rows the service itself deletes once stale (the gateway prunes rate-limit counters past their window),
# by their key: their count may fall between the counts before and after, so their rows are checked by key instead.
PRUNED = {("gateway", "rate_limit_counters"): "key"}


def backup_script(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "backup.py"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def database_env(urls: dict[str, str]) -> dict[str, str]:
    return {f"{name.upper()}_DATABASE_URL": url for name, url in urls.items()}


async def rows_per_table(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        tables = [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")]
        return {t: int(await conn.fetchval(f'SELECT count(*) FROM "{t}"')) for t in sorted(tables)}
    finally:
        await conn.close()


async def keys_per_pruned_table(urls: dict[str, str]) -> dict[tuple[str, str], set[object]]:
    return {
        (name, table): {row[0] for row in await fetch(urls[name], f'SELECT "{key}" FROM "{table}"')}
        for (name, table), key in PRUNED.items()
    }


async def fetch(url: str, query: str) -> list[tuple[object, ...]]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return [tuple(r) for r in await conn.fetch(query)]
    finally:
        await conn.close()


def broker_objects(vhost: str) -> tuple[set[str], set[str]]:
    out = subprocess.run(["rabbitmqctl", "-q", "export_definitions", "-"], capture_output=True, check=True).stdout
    everything = json.loads(out)
    exchanges = {e["name"] for e in everything["exchanges"] if e["vhost"] == vhost}
    queues = {q["name"] for q in everything["queues"] if q["vhost"] == vhost}
    return exchanges, queues


async def a_client_with_invoices(gateway: httpx.AsyncClient, admin: dict[str, str], platform: Platform) -> str:
    engine = make_engine(platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)
    await engine.dispose()
    email = f"backup-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Bea", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)

    async def billing_knows_the_client() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows_the_client, what="billing to learn of the client")
    paid = await gateway.post(
        "/api/billing/orders", json={"items": [{"product_code": "vps-1", "cycle": "monthly"}]}, headers=headers
    )
    assert paid.status_code == 201, paid.text
    confirmed = await gateway.post(
        f"/api/billing/staff/invoices/{paid.json()['invoice_id']}/confirm-transfer",
        headers=admin,
        json={"amount_minor": paid.json()["total_due"]["amount_minor"], "transfer_reference": f"T-{uuid.uuid4().hex}"},
    )
    assert confirmed.status_code == 200, confirmed.text
    open_ = await gateway.post(
        "/api/billing/orders", json={"items": [{"product_code": "webmaster-basic", "cycle": "annual"}]}, headers=headers
    )
    assert open_.status_code == 201, open_.text
    return await platform.client_id(gateway, headers)


async def test_a_backup_restored_into_fresh_databases_has_the_same_invoices(
    gateway: httpx.AsyncClient, admin_headers: dict[str, str], platform: Platform, tmp_path: Path
) -> None:
    client_id = await a_client_with_invoices(gateway, admin_headers, platform)
    source_vhost = E2E_AMQP_URL.rsplit("/", 1)[1]
    folder = tmp_path / "backup"
    before = {name: await rows_per_table(url) for name, url in platform.database_urls.items()}
    keys_before = await keys_per_pruned_table(platform.database_urls)
    out = backup_script(
        ["backup", "--to", str(folder)], {**database_env(platform.database_urls), "ABONO_AMQP_URL": E2E_AMQP_URL}
    )
    assert "backup: done" in out
    after = {name: await rows_per_table(url) for name, url in platform.database_urls.items()}
    keys_after = await keys_per_pruned_table(platform.database_urls)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["databases"]) == set(platform.database_urls)
    assert manifest["broker"]["vhost"] == source_vhost

    fresh = {name: await recreate_database(f"abono_restore_{name}") for name in platform.database_urls}
    fresh_vhost = namespaced("abono_restore")
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", fresh_vhost], capture_output=True, check=False)
    try:
        restore_env = {**database_env(fresh), "ABONO_AMQP_URL": f"{E2E_AMQP_URL.rsplit('/', 1)[0]}/{fresh_vhost}"}
        backup_script(["restore", "--from", str(folder)], restore_env)

        source_invoices = await fetch(platform.database_urls["billing"], INVOICES)
        restored_invoices = await fetch(fresh["billing"], INVOICES)
        assert restored_invoices == source_invoices
        mine = [row for row in restored_invoices if str(row[2]) == client_id]
        assert sorted(str(row[3]) for row in mine) == ["paid", "unpaid"]
        for name in platform.database_urls:
            # Every table, with as many rows as the source had at the moment of its dump (events still settling
            # in the background, e.g. notify's messages, may add rows between the counts before and after).
            restored = await rows_per_table(fresh[name])
            assert set(restored) == set(before[name]), name
            for table, count in restored.items():
                if (name, table) not in PRUNED:
                    assert before[name][table] <= count <= after[name][table], (name, table)
        # A pruned table: what was there both before and after was there at the dump; nothing else but what was
        # there before or after.
        for (name, table), restored_keys in (await keys_per_pruned_table(fresh)).items():
            seen_before, seen_after = keys_before[name, table], keys_after[name, table]
            assert seen_before & seen_after <= restored_keys <= seen_before | seen_after, (name, table)

        source_exchanges, source_queues = broker_objects(source_vhost)
        restored_exchanges, restored_queues = broker_objects(fresh_vhost)
        assert "abono.events" in restored_exchanges
        assert restored_exchanges == source_exchanges and restored_queues == source_queues

        # A second restore over the restored databases is refused without --clean ...
        again = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "backup.py"), "restore", "--from", str(folder), "--no-broker"],
            env={**os.environ, **restore_env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert again.returncode != 0 and "already has tables" in again.stderr
        # ... and accepted with it, leaving the same invoices.
        backup_script(["restore", "--from", str(folder), "--no-broker", "--clean", "billing"], restore_env)
        assert await fetch(fresh["billing"], INVOICES) == source_invoices
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", fresh_vhost], capture_output=True, check=False)
