"""#12 item 9: the services' engines work behind PgBouncer in transaction pooling mode (what deploy/ and
docker-compose.yml run). A real PgBouncer, given one server connection per database so that every client shares it:
with `transaction_pooling` the engines never leave a prepared statement behind for another client to trip on;
without it, asyncpg's cached statements clash at once."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from abono.db import make_engine, make_read_engine, make_sessionmaker, unit_of_work
from abono.testing import PG_ADMIN_DSN, free_port, recreate_database

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"  # scripts/ensure-infra.sh installs it


def _listening(port: int, process: subprocess.Popen[bytes], within: float = 15.0) -> bool:
    """Until PgBouncer accepts connections on `port` (False: it exited, or the deadline passed)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def pgbouncer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """PgBouncer in transaction mode on a free port, one server connection per database and user."""
    admin = make_url(PG_ADMIN_DSN)
    folder = tmp_path_factory.mktemp("pgbouncer")
    folder.chmod(0o755)
    port = free_port()
    config = folder / "pgbouncer.ini"
    config.write_text(f"""[databases]
* = host={admin.host} port={admin.port or 5432} user={admin.username} password={admin.password}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = 2
max_client_conn = 200
""")
    config.chmod(0o644)
    as_user = ["-u", "postgres"] if os.geteuid() == 0 else []  # PgBouncer refuses to run as root
    process = subprocess.Popen([PGBOUNCER, *as_user, str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        if not _listening(port, process):
            process.kill()
            raise AssertionError(f"PgBouncer did not start: {process.communicate()[0]!r}")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
async def pooled_url(pgbouncer: int) -> str:
    """A fresh database, reached through PgBouncer."""
    direct = make_url(await recreate_database("abono_test_pgbouncer"))
    return direct.set(host="127.0.0.1", port=pgbouncer).render_as_string(hide_password=False)


async def _work(engine: AsyncEngine, reads: AsyncEngine, n: int) -> int:
    """A transaction with several parameterised statements, then an autocommit read: a request's shape."""
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        await session.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
        total = (await session.execute(text("SELECT count(*) FROM t WHERE n <= :n"), {"n": n})).scalar_one()
    async with make_sessionmaker(reads)() as session:  # as ReadSessionDep uses it
        seen = (await session.execute(text("SELECT n FROM t WHERE n = :n"), {"n": n})).scalar_one()
        with pytest.raises(Exception, match="read-only transaction"):
            await session.execute(text("INSERT INTO t (n) VALUES (-1)"))
    assert seen == n
    return int(total)


async def test_i9_engines_behind_pgbouncer_transaction_pooling_never_clash_on_prepared_statements(
    pooled_url: str,
) -> None:
    engine = make_engine(pooled_url, pool_size=4, transaction_pooling=True)
    reads = make_read_engine(pooled_url, pool_size=4, transaction_pooling=True)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            await session.execute(text("DROP TABLE IF EXISTS t"))
            await session.execute(text("CREATE TABLE t (n int)"))
        for round_ in range(3):  # rounds: statements asyncpg would have cached are asked for again
            await asyncio.gather(*(_work(engine, reads, 40 * round_ + n) for n in range(40)))
        async with unit_of_work(make_sessionmaker(engine)) as session:
            assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 120
    finally:
        await engine.dispose()
        await reads.dispose()


async def test_i9_without_transaction_pooling_settings_asyncpg_clashes_behind_pgbouncer(pooled_url: str) -> None:
    """The control: an engine made as for a direct connection fails behind PgBouncer. A statement it prepared and
    cached on one server connection is asked for again while another client holds that server connection, so
    PgBouncer gives the transaction the pool's other one, where the statement does not exist. Deterministic: the
    busy server connection is held on purpose, not left to scheduling."""
    engine = make_engine(pooled_url, pool_size=2)
    try:
        async with engine.connect() as first:
            await first.execute(text("SELECT :n + 1"), {"n": 1})  # prepared and cached on the idle server connection
            await first.commit()
            async with engine.connect() as second:
                await second.execute(text("SELECT 1"))  # its open transaction now holds that server connection
                with pytest.raises(Exception, match="prepared statement"):
                    await first.execute(text("SELECT :n + 1"), {"n": 2})
                await second.rollback()
    finally:
        await engine.dispose()
