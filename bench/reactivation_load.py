"""The second process of the `reactivation` scenario: fake WHM panel, set-up, open-loop InvoicePaid load, baseline.

    python -m bench.reactivation_load --whm-port P --provisioning-url U --provisioning-dsn DSN --services N
        --rate R --duration D --out FILE

It serves `provisioning.fakes.FakeWhm` (so provisioning's driver calls are real HTTP), publishes billing's contract
events (`abono.events`, exactly as billing's outbox relay does) for N services until provisioning has them
`suspended` (panel suspended too), then publishes one `InvoicePaid(reactivate_service_ids=[id])` per service at a
fixed rate (open loop: message i due at t0 + i/R) and records, per service:
- `committed`: when this process first sees the service `active` in provisioning's database (polled every 5 ms,
  so up to ~5 ms + one query late; an upper bound of the commit time),
- `panel`: when the fake WHM got the `unsuspendacct` call,
- `baseline`: when a plain aio-pika consumer (quorum queue bound to `billing.invoice.paid` on the same exchange,
  manual ack) received the same message: the raw broker publish → consume latency at the same rate.
All times are measured from the publish (time.time() just before `exchange.publish`, also the event's
`occurred_at`). Writes one JSON object to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from abono.events import Event, InvoicePaid, ServiceOrdered, SuspensionDecided
from abono.money import MoneyModel
from abono.testing import serve
from provisioning.fakes import FakeWhm

EXCHANGE = "abono.events"
BASELINE_QUEUE = "bench.reactivation.baseline"


class TimedWhm(FakeWhm):
    """FakeWhm that notes when each account was unsuspended."""

    unsuspended_at: dict[str, float]

    async def _handle(self, request: Request) -> Response:
        if request.path_params.get("function") == "unsuspendacct":
            self.unsuspended_at.setdefault(request.query_params.get("user", ""), time.time())
        return await super()._handle(request)


def _message(event: Event) -> aio_pika.Message:
    return aio_pika.Message(
        json.dumps(event.envelope()).encode(),
        message_id=str(event.event_id),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


def _paid(client_id: uuid.UUID, invoice_id: uuid.UUID, **kw: Any) -> InvoicePaid:
    return InvoicePaid(
        invoice_id=invoice_id,
        client_id=client_id,
        number=f"F-{invoice_id.hex[:8]}",
        total=MoneyModel(amount_minor=12_000, currency="USD"),
        paid_at=datetime.now(UTC),
        method="card",
        **kw,
    )


async def _wait_until(pool: asyncpg.Pool, sql: str, want: int, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while (got := await pool.fetchval(sql)) < want:
        if time.monotonic() > deadline:
            raise RuntimeError(f"set-up: {what}: {got} of {want} after {within:.0f} s")
        await asyncio.sleep(0.2)


async def _wait_ready(url: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url + "/readyz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"provisioning not ready at {url}")
            await asyncio.sleep(0.2)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    whm = TimedWhm(token=args.whm_token)
    whm.unsuspended_at = {}
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(serve(whm.app(), port=args.whm_port))
        await _wait_ready(args.provisioning_url)
        pool = await asyncpg.create_pool(args.provisioning_dsn, min_size=1, max_size=2)
        stack.push_async_callback(pool.close)
        connection = await aio_pika.connect_robust(args.amqp_url)
        stack.push_async_callback(connection.close)
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)

        # --- set-up: N services ordered, paid (active on the panel), then suspended by a dunning decision ---
        n = args.services
        services = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()) for _ in range(n)]  # service, client, overdue inv.
        domain_of = {sid: f"r{sid.hex[:10]}.example.test" for sid, _, _ in services}
        t_setup = time.monotonic()
        for sid, cid, _ in services:
            order = ServiceOrdered(
                service_id=sid,
                client_id=cid,
                invoice_id=uuid.uuid4(),
                product_id=uuid.uuid4(),
                product_code="hosting-basic",
                product_name="Hosting Básico",
                kind="hosting",
                cycle="annual",
                activation="automatic",
                driver="whm",
                driver_settings={"server": "whm1", "package": "basic"},
                domain=domain_of[sid],
            )
            await exchange.publish(_message(order), routing_key=order.routing_key)
            paid = _paid(cid, order.invoice_id, activate_service_ids=[sid])
            await exchange.publish(_message(paid), routing_key=paid.routing_key)
        await _wait_until(pool, "SELECT count(*) FROM services WHERE state = 'active'", n, 300, "services active")
        for sid, cid, overdue in services:
            decided = SuspensionDecided(client_id=cid, service_ids=[sid], invoice_id=overdue, rule="B-4")
            await exchange.publish(_message(decided), routing_key=decided.routing_key)
        await _wait_until(pool, "SELECT count(*) FROM services WHERE state = 'suspended'", n, 300, "suspended")
        await _wait_until(
            pool,
            "SELECT count(*) FROM driver_actions WHERE status = 'done' AND kind = 'suspend'",
            n,
            300,
            "panel suspensions done",
        )
        setup_s = time.monotonic() - t_setup
        print(f"set-up: {n} services suspended in {setup_s:.1f} s", file=sys.stderr, flush=True)

        # --- baseline consumer: the same messages, raw aio-pika ---
        base_channel = await connection.channel()
        await base_channel.set_qos(prefetch_count=50)
        queue = await base_channel.declare_queue(BASELINE_QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
        await queue.purge()
        await queue.bind(EXCHANGE, routing_key=InvoicePaid.routing_key)
        baseline_at: dict[str, float] = {}

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            baseline_at.setdefault(str(message.message_id), time.time())
            await message.ack()

        await queue.consume(on_message)

        # --- measured: open loop, InvoicePaid(reactivate) at a fixed rate ---
        count = min(n, int(args.rate * args.duration))
        sent_at: dict[uuid.UUID, float] = {}
        event_of: dict[uuid.UUID, str] = {}
        committed_at: dict[uuid.UUID, float] = {}
        publish_done = asyncio.Event()

        async def poll() -> None:
            while not publish_done.is_set() or len(committed_at) < len(sent_at):
                waiting = [sid for sid in sent_at if sid not in committed_at]
                if waiting:
                    rows = await pool.fetch(
                        "SELECT id FROM services WHERE state = 'active' AND id = ANY($1::uuid[])", waiting
                    )
                    seen = time.time()
                    for row in rows:
                        committed_at[row["id"]] = seen
                await asyncio.sleep(0.005)

        poller = asyncio.create_task(poll())
        tasks: set[asyncio.Task[None]] = set()

        async def publish(message: aio_pika.Message) -> None:
            await exchange.publish(message, routing_key=InvoicePaid.routing_key)

        start = time.perf_counter() + 0.1
        for i, (sid, cid, overdue) in enumerate(services[:count]):
            delay = start + i / args.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.time()
            event = _paid(cid, overdue, reactivate_service_ids=[sid], client_has_overdue=False)
            event = event.model_copy(update={"occurred_at": datetime.fromtimestamp(now, UTC)})
            sent_at[sid], event_of[sid] = now, str(event.event_id)
            task = asyncio.create_task(publish(_message(event)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        publish_seconds = time.perf_counter() - start
        publish_done.set()
        try:
            await asyncio.wait_for(asyncio.shield(poller), timeout=args.timeout)
        except TimeoutError:
            poller.cancel()
        deadline = time.monotonic() + 5  # the panel calls come after the commit: give them a moment
        while len(whm.unsuspended_at) < len(committed_at) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        await queue.unbind(EXCHANGE, routing_key=InvoicePaid.routing_key)
        await queue.delete(if_unused=False, if_empty=False)
        end = time.time()
        user_of = {acct["domain"]: user for user, acct in whm.accounts.items()}
        committed, panel, baseline, missing = [], [], [], 0
        for sid, t0 in sent_at.items():
            if sid in committed_at:
                committed.append(committed_at[sid] - t0)
            else:
                missing += 1
                committed.append(end - t0)  # never committed: counted with the time waited (a lower bound)
            user = user_of.get(domain_of[sid])
            if user in whm.unsuspended_at:
                panel.append(whm.unsuspended_at[user] - t0)
            if event_of[sid] in baseline_at:
                baseline.append(baseline_at[event_of[sid]] - t0)
        return {
            "sent": len(sent_at),
            "offered_rate": args.rate,
            "achieved_rate": round(len(sent_at) / publish_seconds, 1) if publish_seconds > 0 else None,
            "missing": missing,
            "setup_s": round(setup_s, 1),
            "committed_s": committed,
            "panel_s": panel,
            "baseline_s": baseline,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reactivation_load", description=__doc__)
    parser.add_argument("--whm-port", type=int, required=True)
    parser.add_argument("--whm-token", required=True)
    parser.add_argument("--provisioning-url", required=True)
    parser.add_argument("--provisioning-dsn", required=True)
    parser.add_argument("--amqp-url", required=True)
    parser.add_argument("--services", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--timeout", type=float, default=30.0, help="wait after the last publish")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
