"""The client's invoice reads (issue 7 "my invoices") run on read-only autocommit connections, and survive the
server closing pooled connections (a PostgreSQL restart, `pg_terminate_backend`) without a per-checkout ping."""

import asyncpg
import httpx
from billing_helpers import auth, new_client

from abono.db import asyncpg_dsn
from abono.testing import wait_for


async def _kill_service_connections(billing_db: str) -> int:
    """Terminate every connection the running service holds to its database; wait until they are gone."""
    conn = await asyncpg.connect(asyncpg_dsn(billing_db))
    try:
        pids = [row["pid"] for row in await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
        for pid in pids:
            await conn.execute("SELECT pg_terminate_backend($1)", pid)

        async def gone() -> bool:
            left = await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = any($1::int[])", pids)
            return bool(left == 0)

        await wait_for(gone, what="terminated backends to exit")
        return len(pids)
    finally:
        await conn.close()


async def test_my_invoices_still_answer_after_the_server_killed_the_pooled_connections(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    ana = await new_client(billing_db)
    placed = await billing.post("/orders", headers=auth(ana), json={"items": [
        {"product_code": "hosting-plus", "cycle": "annual", "quantity": 1}], "payment_method": "zelle"})
    assert placed.status_code == 201, placed.text
    before = await billing.get("/invoices", headers=auth(ana))
    assert before.status_code == 200 and [i["id"] for i in before.json()] == [placed.json()["invoice_id"]]
    assert (await billing.get("/services", headers=auth(ana))).status_code == 200  # the read-write pool too

    assert await _kill_service_connections(billing_db) >= 2  # at least one pooled connection of each engine

    after = await billing.get("/invoices", headers=auth(ana))
    assert after.status_code == 200, after.text
    assert after.json() == before.json()
    assert (await billing.get(f"/invoices/{placed.json()['invoice_id']}", headers=auth(ana))).status_code == 200
    assert (await billing.get("/services", headers=auth(ana))).status_code == 200
