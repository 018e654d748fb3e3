"""P-4: the worker that runs driver actions. Each action is claimed with `FOR UPDATE SKIP LOCKED` (any number of
replicas), run, and marked done in one transaction with its effects; a failure is recorded and retried with
exponential back-off, forever: it shows in the operators' failed-action list and metric, and is never dropped."""

import asyncio
import contextlib
import uuid
from datetime import datetime, timedelta

import structlog
from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import unit_of_work
from abono.messaging.broker import wait_first
from abono.metrics import ServiceMetrics
from provisioning.actions.models import DriverAction
from provisioning.actions.repository import ActionRepository
from provisioning.drivers.base import Account, DriverCall, DriverError, Provisioned
from provisioning.instances import service as instances
from provisioning.instances import upgrades
from provisioning.instances.lifecycle import State
from provisioning.instances.repository import ServiceRepository
from provisioning.runtime import Runtime

log = structlog.get_logger("provisioning.actions")
ENDED = {State.TERMINATED.value, State.CANCELLED.value}


class ActionWorker:
    def __init__(self, *, runtime: Runtime, sessionmaker: async_sessionmaker[AsyncSession],
                 metrics: ServiceMetrics) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self._sessionmaker = sessionmaker
        self._attempts = metrics.counter("driver_action_attempts_total", "Driver action attempts, by outcome",
                                         ("driver", "kind", "outcome"))
        self._failing = Gauge(f"{metrics.prefix}_driver_actions_failing", "Pending driver actions that have failed",
                              registry=metrics.registry)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="provisioning-action-worker")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> int:
        """One pass: run every due action (up to the batch size); how many were attempted."""
        done = 0
        while done < self.settings.action_batch_size:
            async with unit_of_work(self._sessionmaker) as session:
                now = self.runtime.clock.now()
                claimed = await ActionRepository(session).claim_due(now=now, limit=1)
                if not claimed:
                    break
                await self._attempt(session, claimed[0], now)
            done += 1
        async with unit_of_work(self._sessionmaker) as session:
            self._failing.set(await ActionRepository(session).count_failing(
                min_attempts=self.settings.action_failing_after_attempts))
        return done

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                count = await self.run_once()
            except Exception as exc:  # noqa: BLE001 - the worker outlives database outages
                log.warning("action_worker_failed", error=repr(exc))
                count = 0
            if count < self.settings.action_batch_size:
                await wait_first(self._stopping.wait(), within=self.settings.action_poll_seconds)

    async def _attempt(self, session: AsyncSession, action: DriverAction, now: datetime) -> None:
        action.attempts += 1
        action.last_attempt_at = now
        try:
            # A savepoint: what a failed call wrote (a manual task) goes, the attempt's bookkeeping stays.
            async with session.begin_nested():
                await self._execute(session, action, now)
        except Exception as exc:  # noqa: BLE001 - any failure is retried, never dropped (P-4)
            delay = min(self.settings.action_retry_max_seconds,
                        self.settings.action_retry_base_seconds * 2 ** (action.attempts - 1))
            action.next_attempt_at = now + timedelta(seconds=delay)
            action.last_error = (str(exc) if isinstance(exc, DriverError) else repr(exc))[:2000]
            self._attempts.labels(action.driver, action.kind, "failed").inc()
            log.warning("driver_action_failed", action_id=action.id, service_id=str(action.service_id),
                        kind=action.kind, driver=action.driver, attempts=action.attempts, retry_in=delay,
                        error=action.last_error)
        else:
            action.status, action.done_at, action.last_error = "done", now, None
            self._attempts.labels(action.driver, action.kind, "ok").inc()
            log.info("driver_action_done", action_id=action.id, service_id=str(action.service_id),
                     kind=action.kind, driver=action.driver, attempts=action.attempts)
        await session.flush()

    async def _execute(self, session: AsyncSession, action: DriverAction, now: datetime) -> None:
        repo = ServiceRepository(session)
        service = await repo.get(action.service_id)
        if service is None:
            raise DriverError("the service does not exist")
        if service.state in ENDED and action.kind != "terminate":
            log.info("driver_action_skipped", action_id=action.id, kind=action.kind, state=service.state)
            return  # ended before this ran (e.g. B-17 while the create waited): nothing left to do on a panel
        access = await repo.access(service.id)
        password = access.password_encrypted if access else None
        account = Account(
            service_id=service.id, client_id=service.client_id, product_code=service.product_code,
            product_name=service.product_name, kind=service.kind, domain=service.domain,
            settings=service.driver_settings, username=access.username if access else None,
            password=self.runtime.box.decrypt(password) if password else None,
        )
        call = DriverCall(action_id=action.id, account=account, reason=action.payload.get("reason"),
                          package=action.payload.get("package"))
        driver = self.runtime.drivers.driver(action.driver, service.driver_settings, session=session, now=now)
        if action.kind == "create":
            provisioned: Provisioned = await driver.create(call)
            if provisioned.completed:
                await instances.complete_activation(session, service_id=service.id, provisioned=provisioned,
                                                    box=self.runtime.box, decided_by="driver", now=now)
        elif action.kind == "suspend":
            await driver.suspend(call)
        elif action.kind == "unsuspend":
            await driver.unsuspend(call)
        elif action.kind == "terminate":
            await driver.terminate(call)
        elif action.kind == "change_package":
            await driver.change_package(call)
            await upgrades.finish(session, upgrade_id=uuid.UUID(action.payload["upgrade_id"]), now=now)
        else:
            raise DriverError(f"unknown action kind {action.kind!r}")
