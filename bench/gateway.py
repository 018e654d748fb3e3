"""Scenario `gateway`: an authenticated GET through the gateway (aiohttp proxy) to billing, against the same GET
sent to billing directly (the baseline), each pair measured back to back in the same run.

The path is issue 7's "my invoices", billing's `GET /invoices` (JWT check + one indexed read of the caller's
invoices), on realistic data: the bench client has two years of monthly renewal invoices (with their lines) among
~50k invoices of other clients, so the read must go through `ix_invoices_client_id` (the plan is printed).
`--gateway-path` picks another billing path. Both services run as uvicorn processes on their own migrated
databases; the load comes from `bench.loadgen` (open loop) and, for the max throughput, from `wrk` (closed loop,
C, cheap) when it is installed, else from `bench.loadgen --mode closed`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from abono.auth import Role, TokenSigner, generate_keypair
from abono.migrations import upgrade
from abono.testing import free_port
from bench.common import (
    AMQP_URL,
    REPO_ROOT,
    Child,
    Children,
    Figure,
    ScenarioFailed,
    bench_databases,
    ensure_bench_vhost,
    say,
    start_profiler,
    top_frames,
    wait_ready,
)
from bench.options import Options

NAME = "gateway"
GATEWAY_DB, BILLING_DB = "abono_bench_gateway", "abono_bench_billing"
CONNECTIONS, TARGET_RPS, TARGET_P99_MS, TARGET_ADDED_P50_MS = 64, 1500.0, 50.0, 1.5
MY_INVOICES = 24  # two years of monthly renewals, for the bench client and each of the others
OTHER_CLIENTS = 2_100  # their ~50k invoices are not the caller's
OTHER_INVOICES = OTHER_CLIENTS * MY_INVOICES


@dataclass(frozen=True)
class Plan:
    one_conn_rate: float  # requests/s at one connection (well below saturation: no queueing)
    one_conn_seconds: float
    max_seconds: float  # closed loop, 64 connections
    rate_seconds: float  # open loop at TARGET_RPS, 64 connections


QUICK = Plan(one_conn_rate=25, one_conn_seconds=2, max_seconds=3, rate_seconds=3)
FULL = Plan(one_conn_rate=25, one_conn_seconds=15, max_seconds=20, rate_seconds=30)


class Stack:
    def __init__(self, opts: Options, children: Children, token_file: Path) -> None:
        self.opts, self.children, self.token_file = opts, children, token_file
        self.billing_url = self.gateway_url = ""
        self.procs: dict[str, Child] = {}
        # Web worker processes (abono.serve, as `make run` and the image start them): yours if set, else billing 2
        # (it is the CPU-bound side of this path: ~0.6 ms a request against the gateway's ~0.3) and gateway 1.
        self.workers = {name: os.environ.get(f"{name.upper()}_WEB_WORKERS", default)
                        for name, default in (("gateway", "1"), ("billing", "2"))}

    def url(self, via: str) -> str:
        if via == "gateway":
            return f"{self.gateway_url}/api/billing{self.opts.gateway_path}"
        return f"{self.billing_url}{self.opts.gateway_path}"

    async def loadgen(
        self, label: str, *, url: str, connections: int, duration: float, rate: float = 0.0, profile: bool = False
    ) -> dict[str, Any]:
        out = self.children.log_dir / f"loadgen-{label}.json"
        out.unlink(missing_ok=True)
        mode = ["--mode", "open", "--rate", str(rate)] if rate else ["--mode", "closed"]
        # A request still unanswered 5 s after it was sent counts as failed: the run ends within duration + 6 s.
        mode += ["--timeout", "5"]
        cpu0 = {name: child.cpu_seconds() for name, child in self.procs.items()}
        child = self.children.python(
            f"loadgen-{label}",
            [
                "-m",
                "bench.loadgen",
                "--url",
                url,
                "--token-file",
                str(self.token_file),
                "--connections",
                str(connections),
                "--duration",
                str(duration),
                "--warmup",
                "1",
                *mode,
                "--out",
                str(out),
            ],
        )
        if profile:
            for target in self.procs.values():
                start_profiler(self.children, target, duration + 1, self.opts.profile)
        if await child.wait(duration + 90) != 0:
            raise ScenarioFailed(f"load generator failed:\n{child.tail()}")
        result: dict[str, Any] = json.loads(out.read_text())
        result["cpu_s"] = {name: round(p.cpu_seconds() - cpu0[name], 1) for name, p in self.procs.items()}
        say(
            f"{label}: {result['rps']} req/s ok, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
            f"errors {result['errors'] + result['dropped']}, cpu s {result['cpu_s']} + loadgen "
            f"{result['loadgen_cpu_s']}"
        )
        return result

    async def wrk(self, label: str, *, url: str, duration: float) -> dict[str, Any]:
        """Closed-loop max throughput at 64 connections (wrk, else our loadgen in closed mode)."""
        wrk = shutil.which("wrk")
        if wrk is None:
            return await self.loadgen(label, url=url, connections=CONNECTIONS, duration=duration)
        token = self.token_file.read_text().strip()
        cpu0 = {name: child.cpu_seconds() for name, child in self.procs.items()}
        child = self.children.start(
            f"wrk-{label}",
            [
                wrk,
                "-t1",
                f"-c{CONNECTIONS}",
                f"-d{round(duration)}s",
                "--latency",
                "-H",
                f"Authorization: Bearer {token}",
                url,
            ],
        )
        if await child.wait(duration + 30) != 0:
            raise ScenarioFailed(f"wrk failed:\n{child.tail()}")
        text = child.log_path.read_text(errors="replace")
        rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
        p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", text)
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
        if rps is None:
            raise ScenarioFailed(f"cannot read wrk's output:\n{text}")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
        result = {
            "rps": float(rps.group(1)),
            "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
            "errors": int(bad.group(1)) if bad else 0,
            "tool": "wrk -t1 -c64",
            "cpu_s": {name: round(p.cpu_seconds() - cpu0[name], 1) for name, p in self.procs.items()},
        }
        say(
            f"{label}: {result['rps']} req/s (wrk, closed loop), p99 {result['p99_ms']} ms, "
            f"non-2xx {result['errors']}, cpu s {result['cpu_s']}"
        )
        return result


async def _prepare(urls: dict[str, str], tmp: Path) -> tuple[Path, Path, Path]:
    """Migrate both databases, make a key pair, a billing client and a long-lived access token for it."""
    # One after the other: Alembic's `context` is module-global, two upgrades at once in threads collide.
    await asyncio.to_thread(upgrade, REPO_ROOT / "gateway", urls[GATEWAY_DB])
    await asyncio.to_thread(upgrade, REPO_ROOT / "billing-svc", urls[BILLING_DB])
    private_pem, public_pem = generate_keypair()
    private_file, public_file, token_file = tmp / "jwt-private.pem", tmp / "jwt-public.pem", tmp / "token"
    private_file.write_text(private_pem)
    os.chmod(private_file, 0o600)
    public_file.write_text(public_pem)
    client_id = uuid.uuid4()
    signer = TokenSigner(private_pem, issuer="abono-gateway", audience="abono", ttl=timedelta(hours=2))
    token_file.write_text(signer.access_token(user_id=client_id, role=Role.CLIENT, email="bench@example.test"))
    conn = await asyncpg.connect(urls[BILLING_DB].replace("+asyncpg", ""))
    try:
        now = datetime.now(UTC)
        await conn.execute(
            "INSERT INTO clients (id, email, name, country, currency, language, registered_at, "
            "updated_at) VALUES ($1, 'bench@example.test', 'Bench Client', 'AR', 'USD', 'es', $2, $2)",
            client_id,
            now,
        )
        await _seed_invoices(conn, client_id, now)
    finally:
        await conn.close()
    return private_file, public_file, token_file


async def _seed_invoices(conn: asyncpg.Connection, client_id: uuid.UUID, now: datetime) -> None:
    """The bench client's monthly renewals (paid, the last one unpaid), one line each, among other clients'."""
    others = [uuid.uuid4() for _ in range(OTHER_CLIENTS)]
    await conn.execute(
        """
        INSERT INTO invoices (id, number, payment_reference, client_id, currency, kind, status, issued_at, due_on,
                              subtotal_minor, discount_minor, credit_applied_minor, total_minor, payment_method,
                              note, settled_at, paid_method)
        SELECT gen_random_uuid(), 'B-' || lpad(n::text, 8, '0'), 'REF' || lpad(n::text, 9, '0'), c.client_id,
               'USD', 'renewal', CASE WHEN m = 1 THEN 'unpaid' ELSE 'paid' END,
               $2::timestamptz - make_interval(months => m - 1), ($2::timestamptz - make_interval(months => m - 1)
               + interval '10 days')::date, 2400, 0, 0, 2400, 'card', '',
               CASE WHEN m = 1 THEN NULL ELSE $2::timestamptz - make_interval(months => m - 1, days => -2) END,
               CASE WHEN m = 1 THEN NULL ELSE 'card' END
        FROM (SELECT client_id, ord FROM unnest($1::uuid[]) WITH ORDINALITY AS t(client_id, ord)) AS c,
             generate_series(1, $3::int) AS m,
             LATERAL (SELECT (c.ord - 1) * $3::int + m AS n) AS k
        """,
        [client_id, *others],
        now,
        MY_INVOICES,
    )
    await conn.execute(
        """
        INSERT INTO invoice_lines (id, invoice_id, position, kind, description, service_ids, cycle, period_start_on,
                                   period_end_on, quantity, unit_price_minor, gross_minor, discount_minor,
                                   amount_minor, discounts)
        SELECT gen_random_uuid(), i.id, 1, 'service', 'Hosting Plus (monthly)', ARRAY[gen_random_uuid()], 'monthly',
               i.due_on, (i.due_on + interval '1 month')::date, 1, 2400, 2400, 0, 2400, '[]'::jsonb
        FROM invoices i
        """
    )
    await conn.execute("ANALYZE invoices; ANALYZE invoice_lines")
    plan = await conn.fetch(
        "EXPLAIN SELECT * FROM invoices WHERE client_id = $1 ORDER BY issued_at DESC, number", client_id
    )
    say(f"seeded {MY_INVOICES} + {OTHER_INVOICES} invoices; plan of 'my invoices': "
        + " | ".join(row[0].strip() for row in plan))


async def _start(stack: Stack, urls: dict[str, str], private_file: Path, public_file: Path) -> None:
    common = {
        "ABONO_AMQP_URL": AMQP_URL,
        "ABONO_JWT_PUBLIC_KEY_FILE": str(public_file),
        "ABONO_ENVIRONMENT": "development",
        "ABONO_LOG_LEVEL": "WARNING",
        "ABONO_TEST_MODE": "false",
    }
    billing_port, gateway_port = free_port(), free_port()
    stack.billing_url, stack.gateway_url = f"http://127.0.0.1:{billing_port}", f"http://127.0.0.1:{gateway_port}"
    billing = stack.children.uvicorn(
        "billing",
        "billing.app:create_app",
        billing_port,
        {**common, "BILLING_DATABASE_URL": urls[BILLING_DB], "BILLING_SCHEDULER_ENABLED": "false",
         "BILLING_WEB_WORKERS": stack.workers["billing"]},
    )
    gateway = stack.children.uvicorn(
        "gateway",
        "gateway.app:create_app",
        gateway_port,
        {
            **common,
            "GATEWAY_DATABASE_URL": urls[GATEWAY_DB],
            "GATEWAY_JWT_PRIVATE_KEY_FILE": str(private_file),
            "GATEWAY_SERVICE_URLS": json.dumps({"billing": stack.billing_url}),
            "GATEWAY_WEB_WORKERS": stack.workers["gateway"],
        },
    )
    stack.procs = {"gateway": gateway, "billing": billing}
    await asyncio.gather(wait_ready(billing, stack.billing_url), wait_ready(gateway, stack.gateway_url))
    for via in ("direct", "gateway"):  # the token must be accepted both ways, or every figure is an error rate
        check = stack.children.log_dir / f"check-{via}.json"
        child = stack.children.python(
            f"check-{via}",
            [
                "-m",
                "bench.loadgen",
                "--url",
                stack.url(via),
                "--token-file",
                str(stack.token_file),
                "--rate",
                "20",
                "--duration",
                "0.2",
                "--warmup",
                "0",
                "--out",
                str(check),
            ],
        )
        if await child.wait(60) != 0:
            raise ScenarioFailed(f"GET {stack.url(via)} does not answer 200:\n{child.tail()}")


async def run(opts: Options) -> list[Figure]:
    plan = QUICK if opts.quick else FULL
    ensure_bench_vhost()
    path = opts.gateway_path
    what = f" (my invoices: {MY_INVOICES} among {OTHER_INVOICES:,} others)" if path == "/invoices" else ""
    async with bench_databases(GATEWAY_DB, BILLING_DB, keep=opts.keep) as urls, Children(opts.log_dir) as children:
        private_file, public_file, token_file = await _prepare(urls, opts.log_dir)
        stack = Stack(opts, children, token_file)
        await _start(stack, urls, private_file, public_file)
        one: dict[str, list[dict[str, Any]]] = {"direct": [], "gateway": []}
        top: dict[str, dict[str, Any]] = {}
        fixed: dict[str, dict[str, Any]] = {}
        for turn in (1, 2):  # A B A B: drift of a busy machine falls on both sides
            for via in ("direct", "gateway"):
                one[via].append(
                    await stack.loadgen(
                        f"1c-{via}-{turn}",
                        url=stack.url(via),
                        connections=1,
                        duration=plan.one_conn_seconds,
                        rate=plan.one_conn_rate,
                    )
                )
        for via in ("direct", "gateway"):
            top[via] = await stack.wrk(f"max-{via}", url=stack.url(via), duration=plan.max_seconds)
        half = round(top["direct"]["rps"] / 2)  # a rate billing alone sustains: the gateway's cost under load
        sustained: dict[str, dict[str, Any]] = {}
        for via in ("direct", "gateway"):
            sustained[via] = await stack.loadgen(
                f"half-{via}", url=stack.url(via), connections=CONNECTIONS, duration=plan.rate_seconds, rate=half
            )
        for via in ("direct", "gateway"):
            fixed[via] = await stack.loadgen(
                f"rate-{via}",
                url=stack.url(via),
                connections=CONNECTIONS,
                duration=plan.rate_seconds,
                rate=TARGET_RPS,
                profile=bool(opts.profile) and via == "gateway",
            )
    if opts.profile:
        for name in ("gateway", "billing"):
            if (opts.profile / f"{name}.txt").exists():
                say(
                    f"profile {name}: "
                    + "; ".join(f"{f} {s:.0%}" for f, s in top_frames(opts.profile / f"{name}.txt", 8))
                )
    route = (f"GET /api/billing{path} → billing {path}{what}; web workers gateway {stack.workers['gateway']}, "
             f"billing {stack.workers['billing']}")
    gw, direct = fixed["gateway"], fixed["direct"]
    p50 = {via: sum(r["p50_ms"] for r in runs) / len(runs) for via, runs in one.items()}
    p99 = {via: max(r["p99_ms"] for r in runs) for via, runs in one.items()}
    one_errors = sum(r["errors"] + r["dropped"] for r in one["gateway"])
    failures = gw["errors"] + gw["dropped"]
    return [
        Figure(
            NAME,
            "throughput_max_64_connections",
            top["gateway"]["rps"],
            "req/s",
            top["direct"]["rps"],
            TARGET_RPS,
            "min",
            f"{route}; closed loop, {top['gateway'].get('tool', 'bench.loadgen closed')}, "
            f"p99 {top['gateway']['p99_ms']} ms; CPU s gateway/billing {top['gateway']['cpu_s']}",
            extra={"baseline_is": "billing called directly, same load", "errors": top["gateway"]["errors"]},
            valid=top["gateway"]["errors"] == 0,
        ),
        Figure(
            NAME,
            f"throughput_at_{TARGET_RPS:.0f}_offered_64_connections",
            gw["rps"],
            "req/s",
            direct["rps"],
            TARGET_RPS * 0.98,
            "min",
            f"open loop at {TARGET_RPS:.0f} req/s; {failures} failed or dropped",
            extra={"baseline_is": "billing called directly, same offered rate"},
            valid=failures == 0,
        ),
        Figure(
            NAME,
            f"latency_p99_at_{TARGET_RPS:.0f}_offered_64_connections",
            gw["p99_ms"],
            "ms",
            direct["p99_ms"],
            TARGET_P99_MS,
            "max",
            f"open loop, latency from each request's due time; p50 {gw['p50_ms']} ms "
            f"(direct {direct['p50_ms']}); CPU s {gw['cpu_s']} + loadgen {gw['loadgen_cpu_s']}",
            extra={"baseline_is": "billing called directly, same offered rate"},
            valid=failures == 0 and gw["rps"] >= TARGET_RPS * 0.98,
        ),
        Figure(
            NAME,
            "latency_p99_at_half_direct_capacity_64_connections",
            sustained["gateway"]["p99_ms"],
            "ms",
            sustained["direct"]["p99_ms"],
            None,
            "max",
            f"diagnostic (no target): open loop at {half} req/s (half of billing's direct max), 64 connections; "
            f"gateway p50 {sustained['gateway']['p50_ms']} ms (direct {sustained['direct']['p50_ms']}), "
            f"{sustained['gateway']['rps']} req/s ok, CPU s {sustained['gateway']['cpu_s']}",
            extra={"baseline_is": "billing called directly, same offered rate"},
            valid=sustained["gateway"]["errors"] + sustained["gateway"]["dropped"] == 0,
        ),
        Figure(
            NAME,
            "added_latency_p50_1_connection",
            p50["gateway"] - p50["direct"],
            "ms",
            p50["direct"],
            TARGET_ADDED_P50_MS,
            "max",
            f"open loop at {plan.one_conn_rate:.0f} req/s on one connection, 2 alternating rounds of "
            f"{plan.one_conn_seconds:.0f} s each way; gateway p50 {p50['gateway']:.2f} ms, p99 {p99['gateway']} ms "
            f"(direct {p99['direct']})",
            extra={"baseline_is": "p50 of billing called directly"},
            valid=one_errors == 0,
        ),
    ]
