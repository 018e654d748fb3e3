"""P-1 transitions are counted on /metrics (`abono_provisioning_service_transitions_total`) once committed, never
when their transaction rolls back, and not again for a redelivered decision that changes nothing."""

import uuid
from collections.abc import AsyncIterator

import pytest
from provisioning_testkit import ordered, paid
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.events import SuspensionDecided
from abono.metrics import ServiceMetrics, bind_sessions
from provisioning.actions.worker import ActionWorker
from provisioning.instances import dunning
from provisioning.instances.service import record_order
from provisioning.runtime import Runtime


@pytest.fixture
async def counted(provisioning_db: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], ServiceMetrics]]:
    """Sessions bound to a fresh metrics registry, as the app's are."""
    engine = make_engine(provisioning_db, pool_size=2)
    maker, metrics = make_sessionmaker(engine), ServiceMetrics("provisioning")
    bind_sessions(maker, metrics)
    yield maker, metrics
    await engine.dispose()


def transitions(metrics: ServiceMetrics, action: str, decided_by: str) -> float:
    found = metrics.registry.get_sample_value("abono_provisioning_service_transitions_total",
                                              {"action": action, "decided_by": decided_by})
    return found or 0.0


async def test_p1_b4_suspension_counts_once_committed_and_never_rolled_back(
    counted: tuple[async_sessionmaker[AsyncSession], ServiceMetrics], runtime: Runtime,
) -> None:
    maker, metrics = counted
    now = runtime.clock.now()
    order = ordered(uuid.uuid4(), domain="contado.com.ar")
    async with unit_of_work(maker) as session:
        await record_order(session, event=order, box=runtime.box, now=now)
        await dunning.apply_payment(session, event=paid(order), box=runtime.box, now=now)
    await ActionWorker(runtime=runtime, sessionmaker=maker, metrics=ServiceMetrics("provisioning")).run_once()
    assert transitions(metrics, "activate", "driver") + transitions(metrics, "activate", "payment") >= 1
    decided = SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id],
                                invoice_id=uuid.uuid4(), rule="B-4")

    with pytest.raises(RuntimeError):
        async with unit_of_work(maker) as session:
            await dunning.apply_suspension(session, event=decided, now=now)
            raise RuntimeError("the consumer's transaction fails after the suspension")
    assert transitions(metrics, "suspend", "billing") == 0

    for _ in range(2):  # the decision redelivered: the service is already suspended, nothing to count
        async with unit_of_work(maker) as session:
            await dunning.apply_suspension(session, event=decided, now=now)
    assert transitions(metrics, "suspend", "billing") == 1
