"""Alembic glue shared by every service: an async `env.py` body, a programmatic `upgrade` and the drift check.

A service's `migrations/env.py` is just `run_env(target_metadata)`. The database URL comes from the
Alembic config (`sqlalchemy.url`, set by `upgrade()` or `-x url=...`) or the service's settings.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

COMPARE_TYPE = True  # autogenerate and the drift check compare column types too


def _do_run(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=COMPARE_TYPE)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str, metadata: MetaData) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_do_run, metadata)
    await engine.dispose()


def run_env(metadata: MetaData, default_url: str | None = None) -> None:
    """The body of a service's `env.py` (online mode only: we always migrate a live database)."""
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or context.config.get_main_option("sqlalchemy.url")
        or default_url
    )
    if not url:
        raise RuntimeError("no database URL: set sqlalchemy.url, pass -x url=..., or the service's DATABASE_URL")
    asyncio.run(_run_async(url, metadata))


def alembic_config(service_dir: Path, url: str) -> Config:
    cfg = Config(str(service_dir / "alembic.ini"))
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(service_dir: Path, url: str, revision: str = "head") -> None:
    """Migrate `url` to `revision` (blocking; from async code call it in a thread)."""
    command.upgrade(alembic_config(service_dir, url), revision)


async def drift(url: str, metadata: MetaData) -> list[Any]:
    """What autogenerate would write to bring the database at `url` to `metadata`: empty when the migrations and
    the models agree (the drift check every service runs in `make test`)."""
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:

            def compare(sync: Connection) -> list[Any]:
                migration = MigrationContext.configure(sync, opts={"compare_type": COMPARE_TYPE})
                return list(compare_metadata(migration, metadata))

            return await connection.run_sync(compare)
    finally:
        await engine.dispose()
