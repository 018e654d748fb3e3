"""P-4: the drivers against local fakes speaking the real protocols, and the durable action queue's retries."""

import uuid
from datetime import timedelta

import httpx
import pytest
from provisioning_testkit import Fakes, fetch, ordered, paid, service_state
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import unit_of_work
from provisioning.actions.repository import ActionRepository
from provisioning.actions.worker import ActionWorker
from provisioning.config import HttpEndpoint, WhmServer
from provisioning.drivers.base import Account, AccountStatus, DriverCall, DriverError
from provisioning.drivers.http import HttpDriver
from provisioning.drivers.whm import WhmDriver
from provisioning.instances import dunning
from provisioning.instances.service import record_order
from provisioning.runtime import Runtime


def call(action_id: int, *, domain: str = "panel.com.ar", package: str | None = None,
         username: str | None = None) -> DriverCall:
    service_id = uuid.uuid4()
    account = Account(service_id=service_id, client_id=uuid.uuid4(), product_code="hosting-basic",
                      product_name="Hosting Basic", kind="hosting", domain=domain,
                      settings={"server": "whm1", "package": "basic"},
                      username=username or f"u{service_id.hex[:8]}", password="s3cret-Pass")
    return DriverCall(action_id=action_id, account=account, reason="B-4", package=package)


async def test_p4_whm_driver_speaks_whm_api_1_and_is_idempotent(fakes: Fakes) -> None:
    server = WhmServer(url=fakes.whm_url, token=SecretStr(fakes.whm.token), panel_url="https://cp.example.test")
    async with httpx.AsyncClient() as http:
        driver = WhmDriver(server, http)
        c = call(1)
        user = c.account.username
        assert user is not None
        assert await driver.status(c) is AccountStatus.ABSENT
        created = await driver.create(c)
        assert (created.completed, created.username, created.panel_url) == (True, user, "https://cp.example.test")
        assert fakes.whm.accounts[user]["plan"] == "basic"
        await driver.create(c)  # a retry after a lost answer: "already exists" counts as done
        for _ in range(2):
            await driver.suspend(c)
        assert await driver.status(c) is AccountStatus.SUSPENDED
        await driver.unsuspend(c)
        assert await driver.status(c) is AccountStatus.ACTIVE
        await driver.change_package(call(2, package="pro", username=user))
        assert fakes.whm.accounts[user]["plan"] == "pro"
        for _ in range(2):
            await driver.terminate(c)
        assert await driver.status(c) is AccountStatus.ABSENT
        assert fakes.whm.calls_of("createacct", user)[0]["password"] == "s3cret-Pass"
        # A wrong API token is refused by WHM: a DriverError, retried by the worker.
        bad = WhmDriver(WhmServer(url=fakes.whm_url, token=SecretStr("wrong")), http)
        with pytest.raises(DriverError):
            await bad.create(call(3))


async def test_p4_http_driver_signs_its_body_and_sends_one_idempotency_key(fakes: Fakes) -> None:
    endpoint = HttpEndpoint(url=f"{fakes.provider_url}/provision", secret=SecretStr(fakes.provider.secret))
    async with httpx.AsyncClient() as http:
        driver = HttpDriver(endpoint, http)
        c = call(41)
        sid = str(c.account.service_id)
        created = await driver.create(c)
        assert created.panel_url == "https://radio.example.test/panel" and created.password == "s3cret-Pass"
        await driver.create(c)  # same action id: the provider answers from its first result
        assert fakes.provider.accounts[sid] == "active" and len(fakes.provider.calls_of("create", sid)) == 2
        await driver.suspend(DriverCall(42, c.account, reason="B-5"))
        assert await driver.status(c) is AccountStatus.SUSPENDED
        await driver.unsuspend(DriverCall(43, c.account))
        await driver.terminate(DriverCall(44, c.account))
        assert await driver.status(c) is AccountStatus.ABSENT
        assert fakes.provider.calls_of("suspend", sid)[0]["reason"] == "B-5"
        # Signed with another secret: the provider refuses it.
        rejected = fakes.provider.rejected
        forged = HttpDriver(HttpEndpoint(url=endpoint.url, secret=SecretStr("not-the-secret")), http)
        with pytest.raises(DriverError):
            await forged.suspend(DriverCall(45, c.account))
        assert fakes.provider.rejected == rejected + 1


async def test_p4_a_driver_failing_three_times_then_succeeding_is_retried_with_backoff(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    fakes: Fakes,
) -> None:
    order = ordered(uuid.uuid4(), domain="reintento.com.ar")
    async with unit_of_work(sessionmaker) as session:
        await record_order(session, event=order, box=runtime.box, now=runtime.clock.now())
        await dunning.apply_payment(session, event=paid(order), box=runtime.box, now=runtime.clock.now())
    fakes.whm.fail_next = 3
    base = runtime.settings.action_retry_base_seconds
    for attempt in (1, 2, 3):
        await worker.run_once()
        rows = await fetch(provisioning_db, "SELECT * FROM driver_actions WHERE service_id = $1", order.service_id)
        action = rows[0]
        assert (action["status"], action["attempts"]) == ("pending", attempt)
        assert "HTTP 503" in action["last_error"]
        # Exponential back-off on the injected clock; nothing is attempted before it is due.
        assert action["next_attempt_at"] - action["last_attempt_at"] == timedelta(seconds=base * 2 ** (attempt - 1))
        await worker.run_once()
        assert (await fetch(provisioning_db, "SELECT attempts FROM driver_actions WHERE id = $1",
                            action["id"]))[0]["attempts"] == attempt
        # Shown to operators while it fails, and counted.
        async with unit_of_work(sessionmaker) as session:
            failing = await ActionRepository(session).failing(min_attempts=1, limit=1000)
        assert action["id"] in [a.id for a in failing]
        assert worker_failing(worker) >= 1
        runtime.clock.advance(timedelta(seconds=base * 2 ** (attempt - 1)))  # type: ignore[attr-defined]
    await worker.run_once()
    done = (await fetch(provisioning_db, "SELECT * FROM driver_actions WHERE service_id = $1", order.service_id))[0]
    assert (done["status"], done["attempts"], done["last_error"]) == ("done", 4, None)
    assert await service_state(provisioning_db, order.service_id) == "active"
    assert attempts_metric(worker, "failed") >= 3 and attempts_metric(worker, "ok") >= 1


def worker_failing(worker: ActionWorker) -> float:
    return float(worker._failing._value.get())


def attempts_metric(worker: ActionWorker, outcome: str) -> float:
    return float(worker._attempts.labels("whm", "create", outcome)._value.get())
