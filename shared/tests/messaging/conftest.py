"""Fixtures for the event-bus tests: a throwaway database with the outbox, inbox and effects tables, a raw AMQP
channel for inspection, and a per-test `Bus` (unique service name and queues, everything stopped and deleted
afterwards)."""

import uuid
from collections.abc import AsyncIterator

import aio_pika
import asyncpg
import pytest
from aio_pika.abc import AbstractChannel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from abono.db import make_engine
from abono.testing import AMQP_URL, PG_ADMIN_DSN, recreate_database

from .support import Bus, metadata


@pytest.fixture(scope="session")
async def messaging_engine() -> AsyncIterator[AsyncEngine]:
    # Per test session: two runs at once (a developer and CI, parallel agents) must not empty each other's outbox.
    name = f"abono_test_messaging_{uuid.uuid4().hex[:8]}"
    engine = make_engine(await recreate_database(name))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def engine(messaging_engine: AsyncEngine) -> AsyncEngine:
    """The shared test database, emptied: each test sees only its own outbox rows and effects."""
    async with messaging_engine.begin() as conn:
        await conn.execute(text("TRUNCATE outbox, inbox, effects RESTART IDENTITY"))
    return messaging_engine


@pytest.fixture
async def amqp_channel() -> AsyncIterator[AbstractChannel]:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        # The broker declares it too; here so tests can bind before any broker ran.
        await channel.declare_exchange("abono.events", aio_pika.ExchangeType.TOPIC, durable=True)
        yield channel


@pytest.fixture
async def bus(engine: AsyncEngine, amqp_channel: AbstractChannel) -> AsyncIterator[Bus]:
    bus = Bus(engine, AMQP_URL, amqp_channel)
    try:
        yield bus
    finally:
        await bus.close()
