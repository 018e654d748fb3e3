"""P-4: the driver-action worker's guarantees with batches and concurrent panel calls: several services' actions run
at once, one service's actions run in order and never two at once (also across replicas), a worker dying
between its claim and its record neither loses nor doubles an action, and a wake-up arriving while an attempt runs
(P-2/D-3: the client's data or EPP code given meanwhile) is not lost."""

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from domains_kit import REGISTRANT, domain_order
from provisioning_testkit import Fakes, events_for, fetch, ordered, paid, renewal_paid, service_state
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import unit_of_work
from abono.events import SuspensionDecided
from abono.metrics import ServiceMetrics
from provisioning.actions import worker as worker_module
from provisioning.actions.models import DriverAction
from provisioning.actions.repository import ActionRepository
from provisioning.actions.worker import ActionWorker
from provisioning.domains import service as domains
from provisioning.domains.actions import AwaitingClient
from provisioning.domains.repository import DomainRepository
from provisioning.domains.schemas import RegistrantData
from provisioning.drivers.base import DriverCall, ProvisioningDriver
from provisioning.instances import dunning
from provisioning.instances.service import record_order
from provisioning.runtime import Runtime

GUARD_SECONDS = 10.0  # only so that a broken worker fails the test instead of hanging it


class Gate:
    """Wraps the real drivers: notes the calls made for the watched services (in order, how many at once, per
    service and in all) and can hold them until the test lets them go."""

    def __init__(self, runtime: Runtime, watched: set[uuid.UUID], *, hold_until_in_flight: int = 0) -> None:
        self.real = runtime.drivers.driver
        self.watched = watched
        self.calls: list[tuple[uuid.UUID, str]] = []
        self.in_flight: Counter[uuid.UUID] = Counter()
        self.most_at_once = 0
        self.most_per_service = 0
        self.hold_until_in_flight = hold_until_in_flight
        self.all_in = asyncio.Event()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()

    def driver(self, name: str, settings: dict[str, object], *, session: AsyncSession,
               now: datetime) -> ProvisioningDriver:
        return GatedDriver(self.real(name, settings, session=session, now=now), self)

    async def around(self, kind: str, call: DriverCall, run: Callable[[], Awaitable[Any]]) -> Any:
        sid = call.account.service_id
        if sid not in self.watched:
            return await run()
        self.in_flight[sid] += 1
        self.most_per_service = max(self.most_per_service, self.in_flight[sid])
        self.most_at_once = max(self.most_at_once, sum(self.in_flight.values()))
        self.entered.set()
        try:
            if self.hold_until_in_flight and sum(self.in_flight.values()) >= self.hold_until_in_flight:
                self.all_in.set()
            if self.hold_until_in_flight:
                await asyncio.wait_for(self.all_in.wait(), GUARD_SECONDS)
            await asyncio.wait_for(self.release.wait(), GUARD_SECONDS)
            result = await run()
            self.calls.append((sid, kind))
            return result
        finally:
            self.in_flight[sid] -= 1


class GatedDriver:
    def __init__(self, real: ProvisioningDriver, gate: Gate) -> None:
        self.real, self.gate = real, gate

    async def create(self, call: DriverCall) -> Any:
        return await self.gate.around("create", call, lambda: self.real.create(call))

    async def suspend(self, call: DriverCall) -> Any:
        return await self.gate.around("suspend", call, lambda: self.real.suspend(call))

    async def unsuspend(self, call: DriverCall) -> Any:
        return await self.gate.around("unsuspend", call, lambda: self.real.unsuspend(call))

    async def terminate(self, call: DriverCall) -> Any:
        return await self.gate.around("terminate", call, lambda: self.real.terminate(call))

    async def change_package(self, call: DriverCall) -> Any:
        return await self.gate.around("change_package", call, lambda: self.real.change_package(call))

    async def status(self, call: DriverCall) -> Any:
        return await self.real.status(call)


async def step(sessionmaker: async_sessionmaker[AsyncSession], fn: Callable[..., Awaitable[None]],
               runtime: Runtime, **kwargs: Any) -> None:
    async with unit_of_work(sessionmaker) as session:
        await fn(session, now=runtime.clock.now(), **kwargs)


async def active_services(sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker,
                          db: str, count: int, prefix: str) -> list[Any]:
    orders = [ordered(uuid.uuid4(), domain=f"{prefix}{i}-{uuid.uuid4().hex[:6]}.com.ar") for i in range(count)]
    for order in orders:
        await step(sessionmaker, record_order, runtime, event=order, box=runtime.box)
        await step(sessionmaker, dunning.apply_payment, runtime, event=paid(order), box=runtime.box)
    await worker.run_once()
    for order in orders:
        assert await service_state(db, order.service_id) == "active"
    return orders


async def suspend(sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, order: Any,
                  overdue: uuid.UUID) -> None:
    decision = SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id], invoice_id=overdue,
                                 rule="B-4")
    await step(sessionmaker, dunning.apply_suspension, runtime, event=decision)


async def actions_of(db: str, service_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await fetch(db, "SELECT * FROM driver_actions WHERE service_id = $1 ORDER BY id", service_id)
    return [dict(r) for r in rows]


def panel_suspended(fakes: Fakes, domain: str | None) -> int:
    return int(next(a for a in fakes.whm.accounts.values() if a["domain"] == domain)["suspended"])


async def test_p4_actions_of_several_services_run_their_panel_calls_concurrently(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch,
) -> None:
    orders = await active_services(sessionmaker, runtime, worker, provisioning_db, 3, "juntos")
    for order in orders:
        await suspend(sessionmaker, runtime, order, uuid.uuid4())
    # Every call waits until all three are in flight: a worker calling one panel at a time never gets there.
    gate = Gate(runtime, {o.service_id for o in orders}, hold_until_in_flight=3)
    monkeypatch.setattr(runtime.drivers, "driver", gate.driver)
    await worker.run_once()
    assert gate.most_at_once == 3
    for order in orders:
        actions = await actions_of(provisioning_db, order.service_id)
        assert [(a["kind"], a["status"], a["attempts"]) for a in actions] == [("create", "done", 1),
                                                                              ("suspend", "done", 1)]
        assert panel_suspended(fakes, order.domain) == 1


async def test_p4_one_services_actions_run_in_order_never_two_at_once_even_with_two_replicas(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (order,) = await active_services(sessionmaker, runtime, worker, provisioning_db, 1, "enorden")
    overdue = uuid.uuid4()
    await suspend(sessionmaker, runtime, order, overdue)
    renewal = renewal_paid(order.client_id, overdue, reactivate=[order.service_id])
    await step(sessionmaker, dunning.apply_payment, runtime, event=renewal, box=runtime.box)
    # Both the suspend and the unsuspend are due; the suspend's panel call is held while another replica looks.
    gate = Gate(runtime, {order.service_id})
    gate.release.clear()
    monkeypatch.setattr(runtime.drivers, "driver", gate.driver)
    replica = ActionWorker(runtime=runtime, sessionmaker=sessionmaker, metrics=ServiceMetrics("provisioning"))
    first = asyncio.create_task(worker.run_once())
    await asyncio.wait_for(gate.entered.wait(), GUARD_SECONDS)
    await replica.run_once()  # the unsuspend waits for the suspend, the suspend is leased: nothing for it here
    assert gate.in_flight[order.service_id] == 1 and gate.calls == []
    gate.release.set()
    await first
    assert gate.calls == [(order.service_id, "suspend"), (order.service_id, "unsuspend")]
    assert gate.most_per_service == 1
    actions = await actions_of(provisioning_db, order.service_id)
    assert [(a["kind"], a["status"]) for a in actions] == [("create", "done"), ("suspend", "done"),
                                                           ("unsuspend", "done")]
    assert actions[1]["done_at"] <= actions[2]["done_at"]
    assert panel_suspended(fakes, order.domain) == 0


async def test_p4_a_pass_claims_again_only_when_an_action_waits_behind_its_batch(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 20: the order above needs a second claim in the same pass only when a service of the batch has another
    action waiting behind the one just done; a batch smaller than the limit with nothing behind it ends the pass
    (a renewal day's reactivations wake the worker 20 times a second: each pass paid an empty claim)."""
    (order,) = await active_services(sessionmaker, runtime, worker, provisioning_db, 1, "unpaso")
    claimed: list[list[str]] = []
    real = ActionRepository.claim_due

    async def watched(repo: ActionRepository, *, now: datetime, limit: int) -> list[tuple[DriverAction, bool]]:
        due = await real(repo, now=now, limit=limit)
        claimed.append([action.kind for action, _ in due])
        return due

    monkeypatch.setattr(ActionRepository, "claim_due", watched)
    await suspend(sessionmaker, runtime, order, uuid.uuid4())
    await worker.run_once()
    assert claimed == [["suspend"]]
    assert [(a["kind"], a["status"]) for a in await actions_of(provisioning_db, order.service_id)][-1] == \
        ("suspend", "done")


async def test_p4_a_worker_dying_between_claim_and_record_neither_loses_nor_doubles_the_action(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    fakes: Fakes,
) -> None:
    order = ordered(uuid.uuid4(), domain=f"caido-{uuid.uuid4().hex[:6]}.com.ar")
    await step(sessionmaker, record_order, runtime, event=order, box=runtime.box)
    await step(sessionmaker, dunning.apply_payment, runtime, event=paid(order), box=runtime.box)
    # The worker claims and calls the panel (the account is created), then dies before recording anything.
    claims = await worker.claim(limit=runtime.settings.action_batch_size)
    assert order.service_id in {c.service_id for c in claims}
    await worker.call(claims)
    (create,) = await actions_of(provisioning_db, order.service_id)
    assert (create["status"], create["attempts"]) == ("pending", 1)
    assert await service_state(provisioning_db, order.service_id) == "pending"
    # Another replica leaves it alone while the lease holds, and takes it once the lease has run out.
    replica = ActionWorker(runtime=runtime, sessionmaker=sessionmaker, metrics=ServiceMetrics("provisioning"))
    await replica.run_once()
    assert (await actions_of(provisioning_db, order.service_id))[0]["attempts"] == 1
    runtime.clock.advance(worker_module.LEASE + timedelta(seconds=1))  # type: ignore[attr-defined]
    retaken = [c for c in await replica.claim(limit=runtime.settings.action_batch_size)
               if c.service_id == order.service_id]
    assert [c.attempt for c in retaken] == [2]
    # The dead worker's record arriving now (the replica's attempt in flight) is not its to write.
    await worker.record(claims)
    (still,) = await actions_of(provisioning_db, order.service_id)
    assert (still["status"], still["attempts"]) == ("pending", 2)
    assert await service_state(provisioning_db, order.service_id) == "pending"
    await replica.call(retaken)
    await replica.record(retaken)
    (done,) = await actions_of(provisioning_db, order.service_id)
    assert (done["status"], done["attempts"], done["last_error"]) == ("done", 2, None)
    assert await service_state(provisioning_db, order.service_id) == "active"
    # And arriving after it: still nothing. Done once, activated once, one account on the panel (P-4 idempotent).
    await worker.record(claims)
    (after,) = await actions_of(provisioning_db, order.service_id)
    assert (after["status"], after["attempts"], after["done_at"]) == ("done", 2, done["done_at"])
    assert await events_for(provisioning_db, order.service_id) == ["provisioning.service.activated"]
    assert [a["domain"] for a in fakes.whm.accounts.values()].count(order.domain) == 1
    # S-4: the activation names the WHM server the account lives on (support's status page maps it).
    (activated,) = await fetch(provisioning_db, "SELECT payload->>'server' AS server FROM outbox WHERE "
                               "payload->>'service_id' = $1", str(order.service_id))
    assert activated["server"] == "whm1"
    await replica.run_once()  # whatever else the dead worker had claimed (other tests' actions) is finished too


async def test_p4_d3_an_epp_code_given_while_the_transfers_attempt_runs_makes_it_due_again_at_once(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: Runtime, worker: ActionWorker, provisioning_db: str,
    fakes: Fakes,
) -> None:
    """The claim finds no EPP code (AwaitingClient); the client sends it before the attempt is recorded (its
    wake_parked moves the lease's end to then); the record must leave the action due now, not parked for
    `domain_contact_recheck_hours` (the wake-up would be lost until then). Steps driven one by one: no timing."""
    client_id = uuid.uuid4()
    name = f"sincodigo-{uuid.uuid4().hex[:6]}.com"
    fakes.registrar.taken.add(name)
    fakes.registrar.transfer_codes[name] = "EPP-654321"
    order = domain_order(client_id, name)
    order = order.model_copy(update={"driver_settings": {**order.driver_settings, "operation": "transfer"}})
    await step(sessionmaker, domains.save_profile, runtime, client_id=client_id,
               values=RegistrantData(**REGISTRANT).model_dump())
    await step(sessionmaker, domains.record_order, runtime, event=order)
    await step(sessionmaker, record_order, runtime, event=order, box=runtime.box)
    await step(sessionmaker, dunning.apply_payment, runtime, event=paid(order), box=runtime.box)
    # 1. claim: the transfer is leased and finds its EPP code missing (the claim holds AwaitingClient).
    claims = await worker.claim(limit=runtime.settings.action_batch_size)
    (mine,) = [c for c in claims if c.service_id == order.service_id]
    assert isinstance(mine.error, AwaitingClient)
    await worker.call(claims)  # other tests' actions claimed with it run as they would
    # 2. the wake-up arrives while the attempt runs: the client gives the code (POST /domains/{id}/transfer).
    runtime.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]

    async def give_code(session: AsyncSession, *, now: datetime) -> None:
        domain = await DomainRepository(session).get(order.service_id)
        assert domain is not None
        await domains.request_transfer(session, domain=domain, epp_code="EPP-654321", box=runtime.box, now=now)

    await step(sessionmaker, give_code, runtime)
    # 3. record: the attempt's AwaitingClient is recorded after the wake-up.
    runtime.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    await worker.record(claims)
    (transfer,) = await actions_of(provisioning_db, order.service_id)
    assert (transfer["kind"], transfer["status"], transfer["attempts"]) == ("create", "pending", 1)
    assert transfer["next_attempt_at"] <= runtime.clock.now()  # due again at once, not in hours
    # The very next pass, at the same instant, transfers the domain with the code.
    await worker.run_once()
    (done,) = await actions_of(provisioning_db, order.service_id)
    assert (done["status"], done["attempts"], done["last_error"]) == ("done", 2, None)
    (domain,) = await fetch(provisioning_db, "SELECT status FROM domains WHERE service_id = $1", order.service_id)
    assert domain["status"] == "transferring"
    assert fakes.registrar.calls_of("domains/transfer.json", **{"domain-name": name})
