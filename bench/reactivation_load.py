"""The second process of the `reactivation` scenario: fake WHM and fake Stripe, set-up, open-loop signed webhooks.

    python -m bench.reactivation_load --whm-port P --stripe-port P --stripe-secret S --jwt-private-key-file F
        --billing-url U --billing-dsn DSN --provisioning-url U --provisioning-dsn DSN --amqp-url URL
        --services N --rate R --duration D --out FILE

It serves `provisioning.fakes.FakeWhm` and `billing.fakes.FakeStripe` over real HTTP (billing and provisioning are
configured with them). Set-up, for N services: billing's rows of a client whose renewal went unpaid and whose
service B-4 suspended (`bench.reactivation_setup`, set-based SQL); provisioning's side through billing's contract
events published to `abono.events` exactly as billing's relay does (`ServiceOrdered`, `InvoicePaid(activate)`,
`SuspensionDecided`) until provisioning has every service `suspended` and the panel suspensions done; then the
client starts paying each overdue invoice through billing's real API (`POST /invoices/{id}/pay`, method stripe:
a Checkout Session at the fake Stripe), and one sample is checked through the API.

Measured: open loop (webhook i due at t0 + i/R), the client pays at Stripe (`FakeStripe.complete`) and Stripe sends
billing a `checkout.session.completed` signed with `Stripe-Signature` over the raw body (`stripe_headers`), to
billing directly. Per service, from the webhook send (time.time() just before the POST):
- `active`: provisioning's database has the service `active` (polled every 5 ms: up to ~5 ms + one query late),
- `paid`: billing's database has the invoice `paid` (billing's own commit of the payment; same polling): the
  baseline,
- `panel`: the fake WHM got `unsuspendacct`,
- `bus`: billing's `InvoicePaid` for it reached a plain aio-pika consumer (quorum queue bound to
  `billing.invoice.paid`): webhook → outbox → relay → broker (diagnostic),
- `ack`: billing's 2xx answer; a non-2xx answer is counted in `rejected`.
Writes one JSON object to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from abono.auth import Role, TokenSigner
from abono.events import Event, InvoicePaid, ServiceOrdered, SuspensionDecided
from abono.money import MoneyModel
from abono.testing import serve
from bench.reactivation_setup import seed_billing
from billing.fakes import FakeStripe, stripe_headers
from provisioning.fakes import FakeWhm

EXCHANGE = "abono.events"
BUS_QUEUE = "bench.reactivation.invoice-paid"
PAY_CONCURRENCY = 8


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
                raise RuntimeError(f"not ready at {url}")
            await asyncio.sleep(0.2)


async def _set_up_provisioning(
    exchange: aio_pika.abc.AbstractExchange,
    pool: asyncpg.Pool,
    triples: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]],
    domain_of: dict[uuid.UUID, str],
) -> None:
    """Ordered, paid (created on the panel), then suspended by billing's B-4 decision, as billing's relay sends."""
    n = len(triples)
    within = 120 + 0.3 * n  # ~0.12 s per service here through the bus (quick: 11.5 s for 100)
    for sid, cid, _ in triples:
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
        paid = InvoicePaid(
            invoice_id=order.invoice_id,
            client_id=cid,
            number=f"F-{order.invoice_id.hex[:8]}",
            total=MoneyModel(amount_minor=12_000, currency="USD"),
            paid_at=datetime.now(UTC),
            method="card",
            activate_service_ids=[sid],
        )
        await exchange.publish(_message(paid), routing_key=paid.routing_key)
    await _wait_until(pool, "SELECT count(*) FROM services WHERE state = 'active'", n, within, "services active")
    for sid, cid, overdue in triples:
        decided = SuspensionDecided(client_id=cid, service_ids=[sid], invoice_id=overdue, rule="B-4")
        await exchange.publish(_message(decided), routing_key=decided.routing_key)
    await _wait_until(pool, "SELECT count(*) FROM services WHERE state = 'suspended'", n, within, "suspended")
    await _wait_until(
        pool,
        "SELECT count(*) FROM driver_actions WHERE status = 'done' AND kind = 'suspend'",
        n,
        within,
        "panel suspensions done",
    )


async def _start_payments(
    http: aiohttp.ClientSession,
    billing_url: str,
    signer: TokenSigner,
    triples: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]],
) -> dict[uuid.UUID, str]:
    """The client of each overdue invoice starts paying it with Stripe (billing's real API); the Checkout Sessions."""
    limit = asyncio.Semaphore(PAY_CONCURRENCY)
    refs: dict[uuid.UUID, str] = {}

    async def pay(sid: uuid.UUID, cid: uuid.UUID, invoice: uuid.UUID) -> None:
        token = signer.access_token(user_id=cid, role=Role.CLIENT, email=f"bench-{cid}@example.test")
        async with (
            limit,
            http.post(
                f"{billing_url}/invoices/{invoice}/pay",
                json={"method": "stripe"},
                headers={"Authorization": f"Bearer {token}"},
            ) as r,
        ):
            body = await r.text()
            if r.status != 200:
                raise RuntimeError(f"set-up: POST /invoices/{invoice}/pay: {r.status} {body[:300]}")
            refs[sid] = json.loads(body)["provider_ref"]

    await asyncio.gather(*(pay(*t) for t in triples))
    # One sample through the API: the client sees its overdue renewal unpaid, its service suspended.
    sid, cid, invoice = triples[0]
    token = signer.access_token(user_id=cid, role=Role.CLIENT, email=f"bench-{cid}@example.test")
    auth = {"Authorization": f"Bearer {token}"}
    async with http.get(f"{billing_url}/invoices/{invoice}", headers=auth) as r:
        seen = await r.json()
        if r.status != 200 or (seen["status"], seen["kind"]) != ("unpaid", "renewal"):
            raise RuntimeError(f"set-up: sample invoice through the API: {r.status} {seen}")
    async with http.get(f"{billing_url}/services", headers=auth) as r:
        services = await r.json()
        if r.status != 200 or [(s["id"], s["status"]) for s in services] != [(str(sid), "suspended")]:
            raise RuntimeError(f"set-up: sample services through the API: {r.status} {services}")
    return refs


async def _poll(pool: asyncpg.Pool, sql: str, waiting: Iterable[uuid.UUID], seen_at: dict[uuid.UUID, float]) -> None:
    keys = [k for k in waiting if k not in seen_at]
    if keys:
        rows = await pool.fetch(sql, keys)
        now = time.time()
        for row in rows:
            seen_at[row["id"]] = now


@dataclass
class Rig:
    """What the measured phases share: the fakes, the database pools, the HTTP session, the set-up's rows."""

    args: argparse.Namespace
    whm: TimedWhm
    stripe: FakeStripe
    prov: asyncpg.Pool
    bill: asyncpg.Pool
    http: aiohttp.ClientSession
    refs: dict[uuid.UUID, str]
    invoice_of: dict[uuid.UUID, uuid.UUID]
    domain_of: dict[uuid.UUID, str]
    bus_at: dict[uuid.UUID, float]


async def measure(rig: Rig, services: list[uuid.UUID], rate: float) -> dict[str, Any]:
    """Open loop at `rate`: one signed checkout.session.completed per service's overdue invoice; per-service times."""
    args, whm, stripe, prov, bill, http = rig.args, rig.whm, rig.stripe, rig.prov, rig.bill, rig.http
    refs, invoice_of, domain_of, bus_at = rig.refs, rig.invoice_of, rig.domain_of, rig.bus_at
    sent_at: dict[uuid.UUID, float] = {}
    acked_at: dict[uuid.UUID, float] = {}
    rejected: list[str] = []
    active_at: dict[uuid.UUID, float] = {}
    paid_at: dict[uuid.UUID, float] = {}  # keyed by service
    sending_done = asyncio.Event()
    service_of = {inv: sid for sid, inv in invoice_of.items()}

    # Two pollers, each every 5 ms: the active one's cadence is not stretched by billing's query (session 14: one
    # loop ran both, so a service was seen active up to two round trips later on a loaded machine).
    async def poll_active() -> None:
        while not sending_done.is_set() or len(active_at) < len(sent_at):
            await _poll(
                prov,
                "SELECT id FROM services WHERE state = 'active' AND id = ANY($1::uuid[])",
                list(sent_at),
                active_at,
            )
            await asyncio.sleep(0.005)

    async def poll_paid() -> None:
        while not sending_done.is_set() or len(paid_at) < len(sent_at):
            paid_invoices: dict[uuid.UUID, float] = {}
            await _poll(
                bill,
                "SELECT id FROM invoices WHERE status = 'paid' AND id = ANY($1::uuid[])",
                [invoice_of[s] for s in sent_at if s not in paid_at],
                paid_invoices,
            )
            for inv, at in paid_invoices.items():
                paid_at.setdefault(service_of[inv], at)
            await asyncio.sleep(0.005)

    async def poll() -> None:
        await asyncio.gather(poll_active(), poll_paid())

    async def send(sid: uuid.UUID) -> None:
        ref = refs[sid]
        stripe.complete(ref)  # the client paid at Stripe
        body = json.dumps(stripe.event("checkout.session.completed", stripe.sessions[ref]))
        headers = stripe_headers(body, args.stripe_secret)
        sent_at[sid] = time.time()
        try:
            async with http.post(f"{args.billing_url}/webhooks/stripe", data=body.encode(), headers=headers) as r:
                text = await r.text()
                if 200 <= r.status < 300:
                    acked_at[sid] = time.time()
                else:
                    rejected.append(f"{r.status} {text[:200]}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            rejected.append(repr(exc))

    poller = asyncio.create_task(poll())
    tasks: set[asyncio.Task[None]] = set()
    start = time.perf_counter() + 0.1
    for i, sid in enumerate(services):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(send(sid))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    send_seconds = time.perf_counter() - start
    if tasks:
        await asyncio.gather(*tasks)
    sending_done.set()
    try:
        await asyncio.wait_for(asyncio.shield(poller), timeout=args.timeout)
    except TimeoutError:
        poller.cancel()
    deadline = time.monotonic() + 5  # the panel calls come after the commit: give them a moment
    while len(whm.unsuspended_at) < len(active_at) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    end = time.time()
    user_of = {acct["domain"]: user for user, acct in whm.accounts.items()}
    out: dict[str, list[float]] = {"active_s": [], "paid_s": [], "panel_s": [], "bus_s": [], "ack_s": []}
    missing = missing_paid = 0
    for sid, t0 in sent_at.items():
        if sid in active_at:
            out["active_s"].append(active_at[sid] - t0)
        else:
            missing += 1
            out["active_s"].append(end - t0)  # never reactivated: counted with the time waited (a lower bound)
        if sid in paid_at:
            out["paid_s"].append(paid_at[sid] - t0)
        else:
            missing_paid += 1
            out["paid_s"].append(end - t0)
        user = user_of.get(domain_of[sid])
        # Never seen: counted with the time waited (a lower bound), as above.
        out["panel_s"].append(whm.unsuspended_at.get(user or "", end) - t0)
        out["bus_s"].append(bus_at.get(sid, end) - t0)
        if sid in acked_at:
            out["ack_s"].append(acked_at[sid] - t0)
    return {
        "sent": len(sent_at),
        "panel_missing": sum(1 for s in sent_at if user_of.get(domain_of[s]) not in whm.unsuspended_at),
        "offered_rate": rate,
        "achieved_rate": round(len(sent_at) / send_seconds, 1) if send_seconds > 0 else None,
        "missing": missing,
        "missing_paid": missing_paid,
        "rejected": len(rejected),
        "rejected_sample": rejected[:3],
        # Per service (its id as text): when its webhook was sent and when it was seen active, epoch seconds.
        "sent_at": {str(sid): t for sid, t in sent_at.items()},
        "active_at": {str(sid): t for sid, t in active_at.items()},
        **out,
    }


Phases = Callable[[Rig, list[uuid.UUID], int], Awaitable[dict[str, Any]]]


async def run(args: argparse.Namespace, phases: Phases | None = None) -> dict[str, Any]:
    """Set up, then measure `count` services at the rate (or run `phases`: the renewal_day scenario's)."""
    whm = TimedWhm(token=args.whm_token)
    whm.unsuspended_at = {}
    stripe = FakeStripe()
    private_pem = await asyncio.to_thread(Path(args.jwt_private_key_file).read_text)
    signer = TokenSigner(private_pem, issuer="abono-gateway", audience="abono", ttl=timedelta(hours=2))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(serve(whm.app(), port=args.whm_port))
        await stack.enter_async_context(serve(stripe.app, port=args.stripe_port))
        await asyncio.gather(_wait_ready(args.provisioning_url), _wait_ready(args.billing_url))
        prov = await asyncpg.create_pool(args.provisioning_dsn, min_size=1, max_size=2)
        stack.push_async_callback(prov.close)
        bill = await asyncpg.create_pool(args.billing_dsn, min_size=1, max_size=2)
        stack.push_async_callback(bill.close)
        http = await stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64), timeout=aiohttp.ClientTimeout(total=30))
        )
        connection = await aio_pika.connect_robust(args.amqp_url)
        stack.push_async_callback(connection.close)
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)

        # --- set-up ---------------------------------------------------------------------------------------------
        n = args.services
        triples = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()) for _ in range(n)]  # service, client, overdue inv.
        domain_of = {sid: f"r{sid.hex[:10]}.example.test" for sid, _, _ in triples}
        invoice_of = {sid: inv for sid, _, inv in triples}
        t_setup = time.monotonic()
        await seed_billing(args.billing_dsn, triples, domain_of)
        billing_s = time.monotonic() - t_setup
        await _set_up_provisioning(exchange, prov, triples, domain_of)
        provisioning_s = time.monotonic() - t_setup - billing_s
        t_pay = time.monotonic()
        refs = await _start_payments(http, args.billing_url, signer, triples)
        pay_s = time.monotonic() - t_pay
        setup_s = time.monotonic() - t_setup
        print(
            f"set-up: {n} services in {setup_s:.1f} s (billing rows {billing_s:.1f} s, provisioning "
            f"{provisioning_s:.1f} s, {len(refs)} checkouts {pay_s:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

        # --- billing's InvoicePaid on the bus, seen by a plain aio-pika consumer (diagnostic) --------------------
        bus_channel = await connection.channel()
        await bus_channel.set_qos(prefetch_count=50)
        queue = await bus_channel.declare_queue(BUS_QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
        await queue.purge()
        await queue.bind(EXCHANGE, routing_key=InvoicePaid.routing_key)
        bus_at: dict[uuid.UUID, float] = {}

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            seen = time.time()
            try:
                payload = json.loads(message.body)
                for sid in payload.get("payload", payload).get("reactivate_service_ids", []):
                    bus_at.setdefault(uuid.UUID(sid), seen)
            finally:
                await message.ack()

        await queue.consume(on_message)

        rig = Rig(args, whm, stripe, prov, bill, http, refs, invoice_of, domain_of, bus_at)
        count = min(n, int(args.rate * args.duration))
        services = [sid for sid, _, _ in triples]
        result = await (phases(rig, services, count) if phases else measure(rig, services[:count], args.rate))
        await queue.unbind(EXCHANGE, routing_key=InvoicePaid.routing_key)
        await queue.delete(if_unused=False, if_empty=False)
        return {**result, "setup_s": round(setup_s, 1)}


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.reactivation_load", description=__doc__)
    parser.add_argument("--whm-port", type=int, required=True)
    parser.add_argument("--whm-token", required=True)
    parser.add_argument("--stripe-port", type=int, required=True)
    parser.add_argument("--stripe-secret", required=True)
    parser.add_argument("--jwt-private-key-file", required=True)
    parser.add_argument("--billing-url", required=True)
    parser.add_argument("--billing-dsn", required=True)
    parser.add_argument("--provisioning-url", required=True)
    parser.add_argument("--provisioning-dsn", required=True)
    parser.add_argument("--amqp-url", required=True)
    parser.add_argument("--services", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--timeout", type=float, default=30.0, help="wait after the last webhook")
    parser.add_argument("--out", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result = asyncio.run(run(args))
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
