"""Scenario `dunning_sweep`: N overdue services (each on an unpaid invoice past its B-4 day) → billing's real
`run_dunning` (B-3..B-6) emits their suspension decisions, none twice (issue 7: 100k in ≤ 30 s).

A freshly migrated billing database is filled with set-based SQL: clients of five overdue services on four
invoices (three of one service, one of two), due 2 to 9 days before the run's day, so some invoices are at B-4 and
some at B-5; every fifth client also has two paid-up services that only B-5 suspends. The sweep runs in a child
process (`python -m bench.dunning_sweep sweep`: the real billing code, a fixed clock), timed, then once more (the
rerun must decide nothing). Baseline in the same run: one `INSERT ... SELECT` of N rows shaped like the decisions'
outbox rows into a copy of the outbox table on the same server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from abono.migrations import upgrade
from bench.common import (
    REPO_ROOT,
    Children,
    Figure,
    ScenarioFailed,
    bench_databases,
    say,
    start_profiler,
    top_frames,
)
from bench.options import Options

NAME = "dunning_sweep"
DB = "abono_bench_dunning"
TARGET_SECONDS = 30.0
TARGET_SERVICES = 100_000
TODAY = date(2027, 9, 15)  # a Wednesday; due 2-9 days before it: past B-4, 3 in 8 past B-5, none near B-6
SUSPENSION = "billing.service.suspension_decided"


@dataclass(frozen=True)
class Plan:
    services: int  # overdue services, a multiple of 5


QUICK = Plan(services=100_000)
FULL = Plan(services=100_000)

# Per block b (one client) of 5 overdue services 5b+1 .. 5b+5: services 1-3 have an invoice each, 4 and 5 share one.
# `invoice_of(s)` numbers invoices 4b+1 .. 4b+4. Every fifth client has two more services, paid up (only B-5).
_SEED = """
CREATE TEMP TABLE plan_services AS
SELECT s, (s - 1) / 5 AS block, (s - 1) / 5 * 4 + least((s - 1) % 5, 3) + 1 AS invoice
FROM generate_series(1, $1::int) AS s;

INSERT INTO subscriptions (id, client_id, product_id, product_code, cycle, currency, status, next_due_on,
                           created_at, updated_at)
SELECT md5('svc' || p.s)::uuid, md5('client' || p.block)::uuid, prod.id, prod.code, 'monthly', 'USD', 'active',
       $2::date, now() - make_interval(secs => $1::int - p.s), now()
FROM plan_services p, (SELECT id, code FROM products ORDER BY code LIMIT 1) prod
UNION ALL
SELECT md5('extra' || b || '-' || k)::uuid, md5('client' || b)::uuid, prod.id, prod.code, 'monthly', 'USD', 'active',
       $2::date + 30, now(), now()
FROM generate_series(0, $1::int / 5 - 1, 5) AS b, generate_series(1, 2) AS k,
     (SELECT id, code FROM products ORDER BY code LIMIT 1) prod;

INSERT INTO invoices (id, number, payment_reference, client_id, currency, kind, status, issued_at, due_on,
                      subtotal_minor, discount_minor, credit_applied_minor, total_minor, note)
SELECT md5('inv' || invoice)::uuid, 'BENCH-' || invoice, 'REF' || invoice, md5('client' || block)::uuid, 'USD',
       'renewal', 'unpaid', now() - interval '20 days', $2::date - (2 + block % 8), 1000 * count(*), 0, 0,
       1000 * count(*), ''
FROM plan_services GROUP BY invoice, block;

INSERT INTO invoice_lines (id, invoice_id, position, kind, description, service_ids, quantity, unit_price_minor,
                           gross_minor, discount_minor, amount_minor, discounts)
SELECT md5('line' || invoice)::uuid, md5('inv' || invoice)::uuid, 1, 'service', 'hosting',
       array_agg(md5('svc' || s)::uuid ORDER BY s), count(*), 1000, 1000 * count(*), 0, 1000 * count(*), '[]'
FROM plan_services GROUP BY invoice;

ANALYZE subscriptions; ANALYZE invoices; ANALYZE invoice_lines;
"""

# The baseline: N rows shaped like SuspensionDecided outbox rows, in one statement on the same server.
_BASELINE = """
INSERT INTO baseline_outbox (event_id, routing_key, payload)
SELECT gen_random_uuid(), $2, jsonb_build_object(
    'type', $2::text, 'version', 1, 'event_id', gen_random_uuid(), 'occurred_at', now(),
    'client_id', md5('client' || (s - 1) / 5)::uuid, 'service_ids', jsonb_build_array(md5('svc' || s)::uuid),
    'invoice_id', md5('inv' || s)::uuid, 'rule', 'B-4')
FROM generate_series(1, $1::int) AS s
"""

_DECIDED = """
WITH overdue AS (SELECT md5('svc' || s)::uuid::text AS id FROM generate_series(1, $2::int) AS s)
SELECT count(*) FILTER (WHERE n > 1) AS twice, count(*) FILTER (WHERE overdue) AS overdue_decided,
       count(*) FILTER (WHERE NOT overdue) AS extra_decided
FROM (SELECT service_id, count(*) AS n, bool_or(service_id IN (SELECT id FROM overdue)) AS overdue
      FROM outbox, jsonb_array_elements_text(payload -> 'service_ids') AS service_id
      WHERE routing_key = $1 GROUP BY service_id) AS per_service
"""


async def _seed(dsn: str, services: int) -> dict[str, float]:
    conn = await asyncpg.connect(dsn)
    try:
        started = time.monotonic()
        await conn.execute(_SEED.replace("$1::int", str(services)).replace("$2::date", f"DATE '{TODAY}'"))
        seed_s = time.monotonic() - started
        await conn.execute("CREATE TABLE baseline_outbox (LIKE outbox INCLUDING DEFAULTS INCLUDING INDEXES)")
        started = time.monotonic()
        await conn.execute(_BASELINE, services, SUSPENSION)
        baseline_s = time.monotonic() - started
        await conn.execute("DROP TABLE baseline_outbox")
        return {"seed_s": round(seed_s, 2), "baseline_s": baseline_s}
    finally:
        await conn.close()


async def _count(dsn: str, services: int) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(_DECIDED, SUSPENSION, services)
        suspended = await conn.fetchval(
            "SELECT count(*) FROM subscriptions WHERE status = 'suspended' AND id IN "
            "(SELECT md5('svc' || s)::uuid FROM generate_series(1, $1::int) AS s)",
            services,
        )
        events = await conn.fetchval("SELECT count(*) FROM outbox WHERE routing_key = $1", SUSPENSION)
        return {**dict(row), "suspended": suspended, "events": events}
    finally:
        await conn.close()


async def run(opts: Options) -> list[Figure]:
    plan = QUICK if opts.quick else FULL
    async with bench_databases(DB, keep=opts.keep) as urls, Children(opts.log_dir) as children:
        url = urls[DB]
        dsn = url.replace("+asyncpg", "")
        await asyncio.to_thread(upgrade, REPO_ROOT / "billing-svc", url)
        await _load_catalog(url)
        prepared = await _seed(dsn, plan.services)
        say(
            f"{NAME}: {plan.services} overdue services seeded in {prepared['seed_s']} s; baseline INSERT ... SELECT "
            f"of {plan.services} outbox-shaped rows {prepared['baseline_s']:.2f} s"
        )
        out = opts.log_dir / "dunning-sweep.json"
        out.unlink(missing_ok=True)
        child = children.python(
            "dunning-sweep",
            ["-m", "bench.dunning_sweep", "sweep", "--url", url, "--today", str(TODAY), "--out", str(out)],
        )
        profiler = start_profiler(children, child, 120, opts.profile)
        if await child.wait(600) != 0:
            raise ScenarioFailed(f"the sweep failed:\n{child.tail()}")
        if profiler is not None:
            await profiler.wait(30)
            assert opts.profile is not None
            say(
                f"{NAME}: profile top frames: "
                + "; ".join(f"{f} {s:.0%}" for f, s in top_frames(opts.profile / f"{child.name}.txt", 10))
            )
        result: dict[str, Any] = json.loads(out.read_text())
        counts = await _count(dsn, plan.services)
    say(
        f"{NAME}: sweep {result['first_s']:.2f} s ({result['looked_at']} invoices), rerun {result['rerun_s']:.2f} s, "
        f"{counts}"
    )
    if counts["overdue_decided"] != plan.services or counts["suspended"] != plan.services:
        raise ScenarioFailed(f"not every overdue service was decided and suspended: {counts}")
    return _figures(plan, result, prepared, counts)


def _figures(plan: Plan, result: dict[str, Any], prepared: dict[str, float], counts: dict[str, int]) -> list[Figure]:
    n, seconds, baseline_s = plan.services, result["first_s"], prepared["baseline_s"]
    how = (
        f"{n} overdue services on {result['looked_at']} unpaid invoices (B-4 and B-5 days), plus "
        f"{counts['extra_decided']} paid-up services B-5 suspended; billing's run_dunning in one process, "
        f"{counts['events']} SuspensionDecided written; rerun {result['rerun_s']:.2f} s deciding "
        f"{result['rerun_events']}"
    )
    base = {
        "baseline_is": f"one INSERT ... SELECT of {n} outbox-shaped rows on the same server",
        "sweep_cpu_s": round(result["cpu_s"], 2),  # the sweep process's own CPU: the rest is PostgreSQL's share
    }
    valid = counts["twice"] == 0 and result["rerun_events"] == 0
    return [
        Figure(NAME, "seconds", seconds, "s", baseline_s, TARGET_SECONDS, "max", how, extra=base, valid=valid),
        Figure(
            NAME,
            "services_suspended_per_second",
            n / seconds,
            "services/s",
            n / baseline_s,
            TARGET_SERVICES / TARGET_SECONDS,
            "min",
            how,
            extra={**base, "baseline_unit": "rows/s"},
            valid=valid,
        ),
        Figure(
            NAME,
            "decisions_emitted_twice",
            counts["twice"] + result["rerun_events"],
            "services",
            None,
            0.0,
            "max",
            "services in more than one SuspensionDecided, after the timed run and a rerun",
        ),
    ]


async def _load_catalog(url: str) -> None:
    from abono.db import make_engine, make_sessionmaker, unit_of_work
    from billing.catalog.seeding import load_seed_catalog

    engine = make_engine(url, pool_size=1)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            await load_seed_catalog(session)
    finally:
        await engine.dispose()


# --- the child: billing's real sweep ------------------------------------------------------------------------------
async def _sweep(url: str, today: date, out: Path) -> None:
    from abono.clock import FixedClock
    from abono.db import make_engine, make_sessionmaker
    from billing.config import BillingSettings
    from billing.dunning.jobs import run_dunning

    settings = BillingSettings(database_url=url)
    clock = FixedClock(
        datetime.combine(today, day_time(12), tzinfo=ZoneInfo(settings.calendar_timezone)).astimezone(UTC)
    )
    engine = make_engine(url, pool_size=2)
    try:
        sessions = make_sessionmaker(engine)
        started, cpu = time.monotonic(), time.process_time()
        looked_at = await run_dunning(sessionmaker=sessions, clock=clock, settings=settings)
        first_s, cpu_s = time.monotonic() - started, time.process_time() - cpu
        count_before = await _decisions(engine)
        started = time.monotonic()
        await run_dunning(sessionmaker=sessions, clock=clock, settings=settings)
        rerun_s = time.monotonic() - started
        rerun_events = await _decisions(engine) - count_before
    finally:
        await engine.dispose()
    result = {
        "first_s": first_s,
        "cpu_s": cpu_s,
        "looked_at": looked_at,
        "rerun_s": rerun_s,
        "rerun_events": rerun_events,
    }
    await asyncio.to_thread(out.write_text, json.dumps(result))


async def _decisions(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        found = await conn.execute(text("SELECT count(*) FROM outbox WHERE routing_key = :key"), {"key": SUSPENSION})
        return int(found.scalar_one())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dunning_sweep")
    parser.add_argument("mode", choices=["sweep"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--today", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    asyncio.run(_sweep(args.url, args.today, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
