"""Create each service's database if it is missing, then migrate it to the head of its Alembic history.

    python scripts/migrate.py                 # every service whose folder exists
    python scripts/migrate.py billing gateway # only these
    python scripts/migrate.py --no-create     # never CREATE DATABASE (it must exist)
    python scripts/migrate.py --reset         # DROP and recreate the databases first (local development only)

The URL of each database is `<PREFIX>DATABASE_URL` (e.g. `BILLING_DATABASE_URL`), defaulting to
`postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_<service>`. Missing databases are created through
the server's `postgres` database with the same credentials. Migrations run under a PostgreSQL advisory lock, so
any number of replicas may start at once (the container entrypoint runs this script too).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys

import asyncpg
from _services import Service, select
from sqlalchemy.engine import URL, make_url

from abono.migrations import upgrade

LOCK_KEY = "abono.migrations"


def _dsn(url: URL, database: str | None = None) -> str:
    """An asyncpg DSN from a SQLAlchemy URL (`postgresql+asyncpg://...` -> `postgresql://...`)."""
    plain = url.set(drivername="postgresql")
    if database is not None:
        plain = plain.set(database=database)
    return plain.render_as_string(hide_password=False)


def _where(url: URL) -> str:
    return f"{url.database} on {url.host or 'localhost'}:{url.port or 5432}"


async def _ensure_database(url: URL, *, create: bool) -> bool:
    """True if the database was created now."""
    try:
        conn = await asyncpg.connect(_dsn(url), timeout=10)
    except asyncpg.InvalidCatalogNameError:
        if not create:
            raise
    else:
        await conn.close()
        return False
    admin = await asyncpg.connect(_dsn(url, "postgres"), timeout=10)
    try:
        name = (url.database or "").replace('"', '""')
        await admin.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.DuplicateDatabaseError:  # another replica was quicker
        return False
    finally:
        await admin.close()
    return True


async def _drop_database(url: URL) -> bool:
    """Drop the database (ending its sessions); True if it existed."""
    name = url.database or ""
    if name.startswith("abono_test_"):
        raise RuntimeError(f"refusing to drop {name}: test databases belong to the test runs")
    admin = await asyncpg.connect(_dsn(url, "postgres"), timeout=10)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await admin.execute(f'DROP DATABASE "{name.replace(chr(34), chr(34) * 2)}"')
    finally:
        await admin.close()
    return True


async def _revision(conn: asyncpg.Connection) -> str | None:
    try:
        rows = await conn.fetch("SELECT version_num FROM alembic_version")
    except asyncpg.UndefinedTableError:
        return None
    return ",".join(sorted(r["version_num"] for r in rows)) or None


async def migrate(service: Service, *, create: bool, reset: bool = False) -> None:
    url = make_url(service.direct_database_url)
    if reset and await _drop_database(url):
        print(f"{service.name}: dropped database {_where(url)}", flush=True)
    if await _ensure_database(url, create=create):
        print(f"{service.name}: created database {_where(url)}", flush=True)
    if not service.has_migrations:
        print(f"{service.name}: no alembic.ini + migrations/ in {service.folder}/, nothing to migrate", flush=True)
        return
    conn = await asyncpg.connect(_dsn(url), timeout=10)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", LOCK_KEY)
        before = await _revision(conn)
        await asyncio.to_thread(upgrade, service.path, url.render_as_string(hide_password=False))
        after = await _revision(conn)
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", LOCK_KEY)
    finally:
        await conn.close()
    if before == after:
        print(f"{service.name}: {_where(url)} already at head ({after or 'empty history'})", flush=True)
    else:
        print(f"{service.name}: {_where(url)} migrated {before or 'empty'} -> {after}", flush=True)
    await seed(service, url)


async def seed(service: Service, url: URL) -> None:
    """A service with a `<pkg>.seed` module (billing's catalog) loads its seed data; seeds are idempotent."""
    if not (service.path / "src" / service.name / "seed.py").is_file():
        return
    env = os.environ | {f"{service.prefix}DATABASE_URL": url.render_as_string(hide_password=False)}
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", f"{service.name}.seed"], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"{service.name}.seed failed: {result.stderr.strip()[-2000:]}")
    print(f"{service.name}: seed: {result.stdout.strip() or 'done'}", flush=True)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("services", nargs="*", help="service names (default: all whose folder exists)")
    parser.add_argument("--no-create", action="store_true", help="do not create missing databases")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the databases (loses their data)")
    args = parser.parse_args(argv)
    failed = []
    for service in select(args.services):
        try:
            await migrate(service, create=not args.no_create or args.reset, reset=args.reset)
        except Exception as exc:  # noqa: BLE001 - report every service, then fail
            print(f"{service.name}: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            failed.append(service.name)
    if failed:
        print(f"migrations failed for: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
