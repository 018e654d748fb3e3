"""P-4: the worker that runs driver actions, in passes of three steps (any number of replicas):

1. claim: one transaction locks up to a batch of due actions with `FOR UPDATE SKIP LOCKED`, only the oldest pending
   one of each service (so one service's actions run in order, never two at once), counts the attempt and leases
   each action (`next_attempt_at` moves past the lease), then commits: a worker that dies now leaves actions that
   are due again when their lease ends;
2. call: the panel calls of the batch run concurrently (bounded), outside any transaction;
3. record: one transaction locks the claimed actions again, keeps only those its claim still holds (same attempt
   number: a lease that ran out and was claimed again belongs to the new claim, so nothing is recorded twice) and
   writes each outcome with its effects; a failure is retried with exponential back-off, forever: it shows in the
   operators' failed-action list and metric, and is never dropped.

Drivers are idempotent (P-4), so an action whose worker died after the call is simply called again. A driver that
writes to our database (manual: a staff task) runs inside the record transaction, one at a time."""

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import unit_of_work
from abono.messaging import wake
from abono.messaging.broker import wait_first
from abono.metrics import ServiceMetrics
from provisioning.actions.models import DriverAction
from provisioning.actions.repository import ACTIONS_QUEUED, ActionRepository
from provisioning.domains import actions as domain_actions
from provisioning.domains import service as domains
from provisioning.drivers.base import (
    Account,
    DriverCall,
    DriverError,
    DriverNotConfigured,
    Provisioned,
    ProvisioningDriver,
)
from provisioning.drivers.manual import ManualDriver
from provisioning.instances import service as instances
from provisioning.instances import upgrades
from provisioning.instances.lifecycle import State
from provisioning.instances.repository import ServiceRepository
from provisioning.registrars.base import DomainState
from provisioning.runtime import Runtime

log = structlog.get_logger("provisioning.actions")
ENDED = {State.TERMINATED.value, State.CANCELLED.value}
# Longer than any driver call can take (httpx's 5 s timeout per request, a status check after a refusal) plus the
# record step: an action is claimed again only if its worker is gone.
LEASE = timedelta(seconds=120)
CONCURRENCY = 16  # panel calls in flight per worker
FAILING_REFRESH_SECONDS = 30.0  # the failing gauge is re-counted at least this often (other replicas, retries)
NOTICE_CHECK_SECONDS = 300.0  # D-2 notices before expiry are looked for this often per replica


@dataclass
class Claim:
    """What a pass needs of one claimed action after its claim transaction has committed."""

    id: int
    service_id: uuid.UUID
    kind: str
    driver: str
    payload: dict[str, Any]
    attempt: int  # the attempt number this claim wrote: the record step's fencing token
    had_failed: bool
    driver_settings: dict[str, Any] = field(default_factory=dict)
    call: DriverCall | None = None  # None with no error: nothing to do on a panel (the service ended)
    error: BaseException | None = None
    outcome: Provisioned | None = None
    registrar_call: domain_actions.RegistrarCall | None = None  # a domain's action (D-2/D-3)
    registry: DomainState | None = None  # what the registrar answered
    followed: bool = False  # another pending action of the service waits behind this one: the pass claims again


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
        self._failing_counted_at: float | None = None  # monotonic; None: count at the next pass
        self._notices_at: float | None = None  # monotonic; None: look for expiry notices at the next pass
        self._syncs_at: float | None = None  # monotonic; None: look for due domain syncs at the next pass
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Set by a commit of this process that queued an action (`ACTIONS_QUEUED`, issue 20): a payment's
        # reactivation reaches the panel without waiting for the next poll; other processes' actions wait for it.
        self._queued = asyncio.Event()
        self._db_key = wake.database_key(sessionmaker.kw["bind"].url)
        self._registration: wake.Wake | None = None

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._registration = wake.register(self._db_key, self._queued, ACTIONS_QUEUED)
            self._task = asyncio.create_task(self._run(), name="provisioning-action-worker")

    async def stop(self) -> None:
        self._stopping.set()
        if self._registration is not None:
            wake.unregister(self._db_key, self._registration, ACTIONS_QUEUED)
            self._registration = None
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> int:
        """Run every due action, up to the batch size: batches of claim, concurrent panel calls, record (a service's
        next action becomes due once the one before it is done: a later batch of the same pass runs it); how many
        were attempted."""
        done = 0
        while done < self.settings.action_batch_size:
            limit = self.settings.action_batch_size - done
            claims = await self.claim(limit=limit)
            if not claims:
                break
            await self.call(claims)
            await self.record(claims)
            done += len(claims)
            if len(claims) < limit and not any(claim.followed for claim in claims):
                break  # nothing more was due, and no service of the batch has another action waiting behind it
        await self._queue_domain_syncs()
        await self._count_failing()
        return done

    async def _queue_domain_syncs(self) -> None:
        """D-2: each domain's registrar sync when due (the next pass runs them), and the notices before expiry.
        Looked for at most every `action_poll_seconds` (issue 20): a pass woken by each reactivation of a renewal
        day's payments (20 a second) spent a transaction on syncs that are due hours apart."""
        if self._syncs_at is not None and time.monotonic() - self._syncs_at < self.settings.action_poll_seconds:
            return
        self._syncs_at = time.monotonic()
        async with unit_of_work(self._sessionmaker) as session:
            now = self.runtime.clock.now()
            await domains.queue_due_syncs(session, settings=self.settings, now=now,
                                          limit=self.settings.action_batch_size)
            due = self._notices_at is None or time.monotonic() - self._notices_at >= NOTICE_CHECK_SECONDS
            if due:  # a day's thresholds: looking every few minutes is plenty
                await domains.send_expiry_notices(session, settings=self.settings, now=now,
                                                  today=self.runtime.calendar.local_date(now))
        if due:
            self._notices_at = time.monotonic()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._queued.clear()  # a commit from now on is looked for by this pass or wakes the wait after it
            try:
                count = await self.run_once()
            except Exception as exc:  # noqa: BLE001 - the worker outlives database outages
                log.warning("action_worker_failed", error=repr(exc))
                count = 0
            if count < self.settings.action_batch_size:
                await wait_first(self._stopping.wait(), self._queued.wait(),
                                 within=self.settings.action_poll_seconds)

    # --- 1. claim ------------------------------------------------------------------------------------------------
    async def claim(self, *, limit: int) -> list[Claim]:
        """Lease up to `limit` due actions (one per service) in one committed transaction."""
        async with unit_of_work(self._sessionmaker) as session:
            now = self.runtime.clock.now()
            due = await ActionRepository(session).claim_due(now=now, limit=limit)
            # The batch's services and access rows in two statements (issue 20): `_prepare`'s reads by key then
            # find them in the session instead of two round trips an action.
            loaded = await ServiceRepository(session).load_with_access({action.service_id for action, _ in due})
            claims = []
            for action, followed in due:
                action.attempts += 1
                action.last_attempt_at = now
                action.next_attempt_at = now + LEASE
                claim = await self._prepare(session, action)
                claim.followed = followed
                claims.append(claim)
            await session.flush()
            del loaded
        return claims

    async def _prepare(self, session: AsyncSession, action: DriverAction) -> Claim:
        claim = Claim(id=action.id, service_id=action.service_id, kind=action.kind, driver=action.driver,
                      payload=dict(action.payload), attempt=action.attempts, had_failed=action.last_error is not None)
        try:
            repo = ServiceRepository(session)
            service = await repo.get(action.service_id)
            if service is None:
                raise DriverError("the service does not exist")
            registry_sync = action.kind == "sync" and self._is_registrar(claim)  # D-2: deletion is still told
            if service.state in ENDED and action.kind != "terminate" and not registry_sync:
                # Ended before this ran (e.g. B-17 while the create waited): nothing left to do on a panel.
                log.info("driver_action_skipped", action_id=action.id, kind=action.kind, state=service.state)
                return claim
            access = await repo.access(service.id)
            password = access.password_encrypted if access else None
            account = Account(
                service_id=service.id, client_id=service.client_id, product_code=service.product_code,
                product_name=service.product_name, kind=service.kind, domain=service.domain,
                settings=service.driver_settings, username=access.username if access else None,
                password=self.runtime.box.decrypt(password) if password else None,
            )
            claim.driver_settings = dict(service.driver_settings)
            claim.call = DriverCall(action_id=action.id, account=account, reason=action.payload.get("reason"),
                                    package=action.payload.get("package"))
            if self._is_registrar(claim):
                claim.registrar_call = await domain_actions.prepare(
                    session, kind=action.kind, action_id=action.id, payload=claim.payload, service=service,
                    box=self.runtime.box, settings=self.settings, calendar=self.runtime.calendar,
                    now=self.runtime.clock.now())
        except Exception as exc:  # noqa: BLE001 - recorded as a failed attempt, retried
            claim.error = exc
        return claim

    # --- 2. call -------------------------------------------------------------------------------------------------
    async def call(self, claims: list[Claim]) -> None:
        """Run the remote panel calls of a batch concurrently (at most CONCURRENCY at once), outside a transaction;
        each outcome (or error) is kept on its claim."""
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(claim: Claim, driver: ProvisioningDriver) -> None:
            async with limit:
                try:
                    claim.outcome = await _invoke(driver, claim)
                except Exception as exc:  # noqa: BLE001 - any failure is retried, never dropped (P-4)
                    claim.error = exc

        async def registrar_one(claim: Claim, call: domain_actions.RegistrarCall) -> None:
            async with limit:
                try:
                    claim.registry = await domain_actions.invoke(self.runtime.drivers.registrar_of(call.name), call)
                except Exception as exc:  # noqa: BLE001 - any failure is retried, never dropped (P-4)
                    claim.error = exc

        remote = []
        for claim in claims:
            if claim.call is None or claim.error is not None:
                continue
            if self._is_registrar(claim):
                if claim.registrar_call is not None:
                    remote.append(registrar_one(claim, claim.registrar_call))
                continue
            try:
                driver = self._driver(claim, session=None)
            except Exception as exc:  # noqa: BLE001 - e.g. a server no longer configured: retried
                claim.error = exc
                continue
            if driver is not None:
                remote.append(one(claim, driver))
        await asyncio.gather(*remote)

    def _driver(self, claim: Claim, *, session: AsyncSession | None) -> ProvisioningDriver | None:
        """The claim's remote driver; None for a driver that writes to our database (it needs the record step's
        session: built then)."""
        kind = self.settings.driver_aliases.get(claim.driver, claim.driver)
        if kind == "manual" and session is None:
            return None
        # Remote drivers never touch the session; the registry's signature wants one for the manual driver.
        return self.runtime.drivers.driver(claim.driver, claim.driver_settings, session=session,  # type: ignore[arg-type]
                                           now=self.runtime.clock.now())

    # --- 3. record -----------------------------------------------------------------------------------------------
    async def record(self, claims: list[Claim]) -> None:
        """Write every outcome of the batch, with its effects, in one transaction."""
        async with unit_of_work(self._sessionmaker) as session:
            now = self.runtime.clock.now()
            held = {a.id: a for a in await ActionRepository(session).lock_claimed(
                {c.id: c.attempt for c in claims})}
            for claim in claims:
                action = held.get(claim.id)
                if action is None:  # its lease ran out and another claim holds it now: that one records it
                    log.warning("driver_action_lease_lost", action_id=claim.id, attempt=claim.attempt)
                    continue
                await self._record_one(session, action, claim, now)
            await session.flush()

    async def _record_one(self, session: AsyncSession, action: DriverAction, claim: Claim, now: datetime) -> None:
        try:
            # A savepoint: what a failed attempt wrote (a manual task, half an effect) goes, the bookkeeping stays.
            # Only where the attempt writes (issue 20: a panel's suspend/unsuspend/terminate writes nothing here).
            async with session.begin_nested() if self._writes(claim) else contextlib.nullcontext():
                if claim.error is not None:
                    raise claim.error
                if claim.call is not None and self._is_local(claim):
                    claim.outcome = await self._call_local(session, claim, now)
                await self._apply(session, claim, now)
        except domain_actions.AwaitingStaff as exc:
            # .ar: staff do the step in NIC Argentina's TAD (its task is open); this looks at the task again every
            # few minutes (no import from tasks back into the actions), then confirms the step in NIC's RDAP.
            action.next_attempt_at = now + timedelta(seconds=self.settings.nicar_task_recheck_seconds)
            action.last_error = None
            log.info("driver_action_awaiting_staff", action_id=action.id, service_id=str(action.service_id),
                     reason=str(exc))
        except domain_actions.AwaitingClient as exc:
            action.last_error = None
            if action.last_attempt_at is not None and action.next_attempt_at < action.last_attempt_at + LEASE:
                # The client gave what was missing (its data, a transfer's EPP code) while this attempt ran: the
                # wake-up moved the lease's end to then. Parking now would lose it until the recheck hours later.
                action.next_attempt_at = now
                log.info("driver_action_woken_while_running", action_id=action.id,
                         service_id=str(action.service_id))
                return
            # P-2: not a failure: the registration waits for the client's data (completing it wakes it up).
            action.next_attempt_at = now + timedelta(hours=self.settings.domain_contact_recheck_hours)
            await domain_actions.park(session, service_id=action.service_id, reason=exc, now=now)
            log.info("driver_action_awaiting_client", action_id=action.id, service_id=str(action.service_id),
                     reason=str(exc))
        except DriverNotConfigured as exc:
            # #19 item 3: no server/endpoint here: retrying cannot help until an operator configures it. The action
            # waits at the longest back-off (never dropped, P-4) and the operators' list shows this reason.
            action.next_attempt_at = now + timedelta(seconds=self.settings.action_retry_max_seconds)
            action.last_error = f"not configured: {exc}"[:2000]
            self._failing_counted_at = None
            self._attempts.labels(action.driver, action.kind, "not_configured").inc()
            log.warning("driver_action_not_configured", action_id=action.id, service_id=str(action.service_id),
                        kind=action.kind, driver=action.driver, attempts=action.attempts, error=action.last_error)
        except Exception as exc:  # noqa: BLE001 - any failure is retried, never dropped (P-4)
            delay = min(self.settings.action_retry_max_seconds,
                        self.settings.action_retry_base_seconds * 2 ** (action.attempts - 1))
            action.next_attempt_at = now + timedelta(seconds=delay)
            action.last_error = (str(exc) if isinstance(exc, DriverError) else repr(exc))[:2000]
            self._failing_counted_at = None
            self._attempts.labels(action.driver, action.kind, "failed").inc()
            log.warning("driver_action_failed", action_id=action.id, service_id=str(action.service_id),
                        kind=action.kind, driver=action.driver, attempts=action.attempts, retry_in=delay,
                        error=action.last_error)
        else:
            if claim.had_failed:
                self._failing_counted_at = None
            action.status, action.done_at, action.last_error = "done", now, None
            self._attempts.labels(action.driver, action.kind, "ok").inc()
            log.info("driver_action_done", action_id=action.id, service_id=str(action.service_id),
                     kind=action.kind, driver=action.driver, attempts=action.attempts)

    def _writes(self, claim: Claim) -> bool:
        """Whether recording the claim's outcome writes effects (`_call_local`, `_apply`) that a failure must undo."""
        if claim.error is not None or claim.call is None:
            return False
        if self._is_local(claim) or claim.registrar_call is not None:
            return True
        return not self._is_registrar(claim) and claim.kind in ("create", "change_package")

    def _is_registrar(self, claim: Claim) -> bool:
        return claim.driver in self.settings.registrar_drivers

    def _is_local(self, claim: Claim) -> bool:
        return self.settings.driver_aliases.get(claim.driver, claim.driver) == "manual"

    async def _call_local(self, session: AsyncSession, claim: Claim, now: datetime) -> Provisioned | None:
        driver = self.runtime.drivers.driver(claim.driver, claim.driver_settings, session=session, now=now)
        assert isinstance(driver, ManualDriver)
        return await _invoke(driver, claim)

    async def _apply(self, session: AsyncSession, claim: Claim, now: datetime) -> None:
        """What a done action changes in our database."""
        if claim.call is None:
            return
        if claim.registrar_call is not None:
            await domain_actions.apply(session, service_id=claim.service_id, call=claim.registrar_call,
                                       outcome=claim.registry, box=self.runtime.box, settings=self.settings, now=now)
            return
        if self._is_registrar(claim):
            return  # D-2: nothing to do at the registry (no suspension there)
        if claim.kind == "create" and claim.outcome is not None and claim.outcome.completed:
            await instances.complete_activation(session, service_id=claim.service_id, provisioned=claim.outcome,
                                                box=self.runtime.box, decided_by="driver", now=now)
        elif claim.kind == "change_package":
            await upgrades.finish(session, upgrade_id=uuid.UUID(claim.payload["upgrade_id"]), now=now)

    async def _count_failing(self) -> None:
        """Re-count the failing gauge when an outcome changed it, or now and then (other replicas, staff retries)."""
        counted = self._failing_counted_at
        if counted is not None and time.monotonic() - counted < FAILING_REFRESH_SECONDS:
            return
        async with unit_of_work(self._sessionmaker) as session:
            self._failing.set(await ActionRepository(session).count_failing(
                min_attempts=self.settings.action_failing_after_attempts))
        self._failing_counted_at = time.monotonic()


async def _invoke(driver: ProvisioningDriver, claim: Claim) -> Provisioned | None:
    """The driver call an action means."""
    assert claim.call is not None
    call = claim.call
    if claim.kind == "create":
        return await driver.create(call)
    if claim.kind == "suspend":
        await driver.suspend(call)
    elif claim.kind == "unsuspend":
        await driver.unsuspend(call)
    elif claim.kind == "terminate":
        await driver.terminate(call)
    elif claim.kind == "change_package":
        await driver.change_package(call)
    else:
        raise DriverError(f"unknown action kind {claim.kind!r}")
    return None
