"""Business counters count committed facts only (`count_after_commit`) and facts carried by published events
(`count_published`), on the app's own registry."""

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import make_engine, make_sessionmaker
from abono.metrics import FactCounter, ServiceMetrics, bind_sessions, count_after_commit, count_published
from abono.testing import database_url

SERVICE = f"metrics_test_{uuid.uuid4().hex[:6]}"
THINGS = FactCounter(SERVICE, "things_total", "Things done", ("kind",))
SHIPPED = FactCounter(SERVICE, "shipped_total", "Items shipped", ("carrier",))
count_published(f"{SERVICE}.parcel.shipped", SHIPPED, lambda p: {"carrier": p["carrier"]}, lambda p: p["items"])


def value(metrics: ServiceMetrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(f"abono_{SERVICE}_{name}", labels)
    return found or 0.0


@pytest.fixture
async def sessions() -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], ServiceMetrics]]:
    engine = make_engine(database_url("postgres"), pool_size=2)  # no tables needed: only transactions
    maker = make_sessionmaker(engine)
    metrics = ServiceMetrics(SERVICE)
    bind_sessions(maker, metrics)
    yield maker, metrics
    await engine.dispose()


async def test_declared_fact_is_exposed_before_it_is_counted() -> None:
    rendered = ServiceMetrics(SERVICE).render().body.decode()
    assert f"# TYPE abono_{SERVICE}_things_total counter" in rendered
    assert f"# TYPE abono_{SERVICE}_shipped_total counter" in rendered


async def test_committed_fact_counts_once(sessions: tuple[async_sessionmaker[AsyncSession], ServiceMetrics]) -> None:
    maker, metrics = sessions
    async with maker() as session, session.begin():
        await session.execute(text("SELECT 1"))
        count_after_commit(session, THINGS, kind="a")
        assert value(metrics, "things_total", kind="a") == 0  # not before the commit
    assert value(metrics, "things_total", kind="a") == 1
    async with maker() as session, session.begin():
        await session.execute(text("SELECT 1"))
    assert value(metrics, "things_total", kind="a") == 1  # a later transaction does not count it again


async def test_rolled_back_fact_never_counts(sessions: tuple[async_sessionmaker[AsyncSession], ServiceMetrics]) -> None:
    maker, metrics = sessions
    with pytest.raises(RuntimeError):
        async with maker() as session, session.begin():
            count_after_commit(session, THINGS, kind="b")
            raise RuntimeError("the unit of work fails")
    async with maker() as session:  # closed without a commit
        await session.begin()
        count_after_commit(session, THINGS, kind="b")
    async with maker() as session, session.begin():
        await session.execute(text("SELECT 1"))
    assert value(metrics, "things_total", kind="b") == 0


async def test_fact_in_rolled_back_savepoint_never_counts(
    sessions: tuple[async_sessionmaker[AsyncSession], ServiceMetrics],
) -> None:
    # The webhook processor's shape: a handler's effects in a savepoint, the attempt recorded either way.
    maker, metrics = sessions
    async with maker() as session, session.begin():
        count_after_commit(session, THINGS, kind="outer")
        with pytest.raises(RuntimeError):
            async with session.begin_nested():
                count_after_commit(session, THINGS, kind="inner")
                async with session.begin_nested():
                    count_after_commit(session, THINGS, kind="innermost")
                raise RuntimeError("the handler fails")
        async with session.begin_nested():
            count_after_commit(session, THINGS, kind="released")
        assert value(metrics, "things_total", kind="released") == 0  # a released savepoint is not a commit
    assert value(metrics, "things_total", kind="outer") == 1
    assert value(metrics, "things_total", kind="released") == 1
    assert value(metrics, "things_total", kind="inner") == 0
    assert value(metrics, "things_total", kind="innermost") == 0


async def test_session_of_no_app_counts_nothing() -> None:
    engine = make_engine(database_url("postgres"), pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            count_after_commit(session, THINGS, kind="c")  # no metrics bound: a script's session
    finally:
        await engine.dispose()
    assert ServiceMetrics(SERVICE).registry.get_sample_value(f"abono_{SERVICE}_things_total", {"kind": "c"}) is None


def test_published_event_counts_its_fact_with_payload_labels() -> None:
    metrics = ServiceMetrics(SERVICE)
    metrics.published(f"{SERVICE}.parcel.shipped", {"carrier": "dhl", "items": 3})
    metrics.published(f"{SERVICE}.parcel.lost", {"carrier": "dhl", "items": 5})
    assert value(metrics, "shipped_total", carrier="dhl") == 3
    assert metrics.registry.get_sample_value(
        f"abono_{SERVICE}_events_published_total", {"routing_key": f"{SERVICE}.parcel.shipped"}) == 1


def test_published_fact_of_another_service_is_not_counted_here() -> None:
    other = ServiceMetrics(f"{SERVICE}_other")
    other.published(f"{SERVICE}.parcel.shipped", {"carrier": "dhl", "items": 3})
    assert other.registry.get_sample_value(f"abono_{SERVICE}_other_shipped_total", {"carrier": "dhl"}) is None
