"""Scenario `renewal_day` (issue 20): a payment stays instant while a renewal run's events drain.

Billing and provisioning under uvicorn as in `reactivation` (same fakes, same signed Stripe webhooks, same figure:
webhook sent → the suspended service seen `active` in provisioning's database), on a billing database that also
holds N due subscriptions (`renewal_run`'s seed; quick 100k, full 1M). The load process (`bench.renewal_day_load`)
measures first on a quiet bus, then starts billing's real `issue_renewals` (a child waiting on a go-file, as in
`renewal_run`) and measures the same webhooks, at the same rate, while its `InvoiceIssued` backlog drains through
billing's relay (bulk lane) to provisioning's `provisioning.billing.bulk` queue. Then it waits until provisioning
has recorded every issued invoice.

Figures: webhook → active p50/p99 during the drain, baseline the same on the quiet bus (target p99 ≤ 250 ms); the
backlog's drain rate (issued events / (provisioning caught up - first row written)), baseline raw aio-pika on a
quorum queue with messages of the same size, measured in the same run right after (target ≥ 80 % of it).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg

from abono.db import asyncpg_dsn
from abono.migrations import upgrade
from bench.bus_harness import raw_baseline
from bench.common import (
    AMQP_URL,
    BENCH_VHOST,
    REPO_ROOT,
    Children,
    Figure,
    ScenarioFailed,
    bench_databases,
    ensure_bench_vhost,
    percentile,
    rabbitmqctl,
    say,
)
from bench.options import Options
from bench.reactivation import start_services
from bench.renewal_run import RUN_DAY, seed_due_subscriptions

NAME = "renewal_day"
BILLING_DB, PROVISIONING_DB = "abono_bench_day_billing", "abono_bench_day_provisioning"
TARGET_P99_MS, TARGET_SHARE_OF_RAW = 250.0, 0.8


@dataclass(frozen=True)
class Plan:
    subscriptions: int
    rate: float  # webhooks/s in both phases
    quiet_s: float
    drain_s: float  # seconds of webhooks during the drain
    raw: int  # raw aio-pika messages for the baseline rate
    within: float  # limit for the renewal run
    grace: float  # then at most this long for provisioning to catch up (else: the rate of what it recorded)


QUICK = Plan(subscriptions=100_000, rate=20, quiet_s=5, drain_s=10, raw=10_000, within=600, grace=60)
FULL = Plan(subscriptions=1_000_000, rate=20, quiet_s=30, drain_s=60, raw=50_000, within=1800, grace=600)


async def _delete_service_queues() -> None:
    """A run leaves a backlog in the services' queues of the bench vhost (unrecorded `InvoiceIssued`, or all of them
    when cut short), which the next run's fresh databases would consume and count: start and end with none."""
    listed = rabbitmqctl("list_queues", "-p", BENCH_VHOST, "name").stdout.split()
    doomed = [q for q in listed if q.startswith(("billing.", "provisioning."))]
    connection = await aio_pika.connect(AMQP_URL)
    try:
        channel = await connection.channel()
        for queue in doomed:
            await channel.queue_delete(queue, if_unused=False, if_empty=False)
    finally:
        await connection.close()


async def _payload_size(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        size = await conn.fetchval(
            "SELECT avg(length(payload::text))::int FROM outbox WHERE routing_key = 'billing.invoice.issued'"
        )
        return int(size or 700)
    finally:
        await conn.close()


async def run(opts: Options) -> list[Figure]:
    plan = QUICK if opts.quick else FULL
    ensure_bench_vhost()
    await _delete_service_queues()
    load_avg = [os.getloadavg()[0]]
    async with bench_databases(BILLING_DB, PROVISIONING_DB, keep=opts.keep) as urls, Children(opts.log_dir) as children:
        await asyncio.to_thread(upgrade, REPO_ROOT / "billing-svc", urls[BILLING_DB])
        await asyncio.to_thread(upgrade, REPO_ROOT / "provisioning-svc", urls[PROVISIONING_DB])
        await seed_due_subscriptions(asyncpg_dsn(urls[BILLING_DB]), plan.subscriptions)  # the catalog too
        say(f"renewal day: {plan.subscriptions} due subscriptions seeded")
        # As `make run` and deploy/ run them (issue 20); BENCH_BULK_LANE=in_process measures the apps alone.
        bulk_lane = os.environ.get("BENCH_BULK_LANE", "separate")
        services = await start_services(opts, children, urls[BILLING_DB], urls[PROVISIONING_DB], bulk_lane=bulk_lane)
        say(f"renewal day: bulk lane {bulk_lane} ({len(services.bulk_workers)} abono.bulk_worker processes)")
        go, renewal_out = opts.log_dir / "renewal-day.go", opts.log_dir / "renewal-day-run.json"
        out = opts.log_dir / "renewal-day-load.json"
        for stale in (go, renewal_out, out):
            stale.unlink(missing_ok=True)
        # The run stands for billing's scheduler, which runs in billing's bulk worker process (niced) when the bulk
        # lane is separate (`WorkerSpec(process="bulk")`): the child gets the same niceness.
        niced = ["nice", "-n", os.environ.get("ABONO_BULK_NICE", "10")] if bulk_lane == "separate" else []
        renewal = children.start(
            "renewal-day-run",
            [*niced, sys.executable, "-m", "bench.renewal_run", "child", urls[BILLING_DB], RUN_DAY.isoformat(),
             str(renewal_out), str(go)],
            {"ABONO_LOG_LEVEL": "WARNING"},
        )
        quiet_n, drain_n = int(plan.rate * plan.quiet_s), int(plan.rate * plan.drain_s)
        # fmt: off
        load = children.python("renewal-day-load", [
            "-m", "bench.renewal_day_load", *services.load_args(),
            "--services", str(quiet_n + drain_n), "--rate", str(plan.rate), "--duration", str(plan.quiet_s),
            "--timeout", "30", "--out", str(out),
            "--renewal-go", str(go), "--renewal-out", str(renewal_out),
            "--drain-duration", str(plan.drain_s), "--drain-within", str(plan.within),
            "--drain-grace", str(plan.grace),
        ])
        # fmt: on
        while load.alive():
            services.billing.check_alive()
            services.provisioning.check_alive()
            for bulk_worker in services.bulk_workers:
                bulk_worker.check_alive()
            load_avg.append(os.getloadavg()[0])
            await asyncio.sleep(0.5)
        if load.proc.returncode != 0:
            raise ScenarioFailed(f"renewal day load failed:\n{load.tail()}\nrenewal run:\n{renewal.tail()}")
        result: dict[str, Any] = json.loads(out.read_text())
        size = await _payload_size(asyncpg_dsn(urls[BILLING_DB]))
        say(f"renewal day: raw aio-pika baseline, {plan.raw} messages of {size} bytes")
        raw = await raw_baseline(children, "renewal-day", count=plan.raw, size=size)
    # The backlog provisioning did not record stays in its queue: no later run (of any scenario) may consume it.
    await _delete_service_queues()
    raw_rate = raw["received"] / (raw["t_last"] - raw["t_first"])
    return figures(result, plan, raw_rate, sum(load_avg) / len(load_avg))


def _ms(phase: dict[str, Any]) -> tuple[float, float]:
    values = [v * 1000 for v in phase["active_s"]]
    return (percentile(values, 50), percentile(values, 99)) if values else (0.0, 0.0)


def _valid(phase: dict[str, Any], plan: Plan) -> bool:
    achieved = phase["achieved_rate"] or 0.0
    return phase["missing"] == 0 and phase["rejected"] == 0 and achieved >= 0.95 * plan.rate


def figures(result: dict[str, Any], plan: Plan, raw_rate: float, load_avg: float) -> list[Figure]:
    quiet, during = result["quiet"], result["during"]
    (q50, q99), (d50, d99) = _ms(quiet), _ms(during)
    issued, recorded, complete = result["issued"], result["recorded"], result["complete"]
    drain_s = result["t_drained"] - result["t_first_row"]
    rate = recorded / drain_s if drain_s > 0 else 0.0
    end = result["backlog_at_end"]
    # The second phase counts only if the backlog was still there when its last webhook was sent.
    still_draining = end["recorded"] < issued
    run_s = result["renewal"]["seconds"]
    published = result["t_published"]
    relayed = f"billing's relay done +{published - result['t_first_row']:.1f} s" if published else "relay not done"
    caught_up = (
        f"provisioning recorded all {issued} +{drain_s:.1f} s after the first row"
        if complete
        else f"provisioning had recorded {recorded} of {issued} when the wait ended, +{drain_s:.1f} s"
    )
    say(
        f"renewal day: quiet p50/p99 {q50:.0f}/{q99:.0f} ms; during the drain {d50:.0f}/{d99:.0f} ms "
        f"({during['sent']} webhooks, {during['missing']} never active, backlog {result['backlog_at_start']} → "
        f"{end}); {issued} InvoiceIssued: run {run_s:.1f} s, {relayed}, {caught_up} = {rate:,.0f}/s; raw aio-pika "
        f"{raw_rate:,.0f}/s; load average {load_avg:.1f}"
    )
    say("renewal day: the drain's webhooks hop by hop, p50/p99 ms: " + "; ".join(
        f"{hop} {percentile(ms, 50):.0f}/{percentile(ms, 99):.0f}" for hop, ms in result["hops"].items() if ms))
    how = (
        f"{during['sent']} signed Stripe webhooks at {plan.rate:.0f}/s ({during['achieved_rate']}/s achieved) while "
        f"{issued} InvoiceIssued drained (backlog at the first webhook {result['backlog_at_start']}, at the last "
        f"{end}); webhook → service 'active' in provisioning's DB; baseline: {quiet['sent']} webhooks on the quiet "
        f"bus just before; mean load average {load_avg:.1f}"
    )
    drain_note = (
        f"InvoiceIssued from billing's real renewal run ({run_s:.1f} s) to provisioning's inbox (its bulk queue): "
        f"{caught_up}; {relayed}; target {TARGET_SHARE_OF_RAW:.0%} of the raw rate (ratio)"
    )
    extra = {"baseline_is": "the same figure on the quiet bus, same run", "load_avg_mean": round(load_avg, 2)}
    raw_is = {
        "baseline_is": "raw aio-pika publish (confirms, 500 in flight) + consume (manual ack), quorum queue, "
        "same message size, same run"
    }
    return [
        Figure(NAME, "webhook_to_active_p50_during_drain", d50, "ms", q50, None, "max", how, extra=extra),
        Figure(
            NAME,
            "webhook_to_active_p99_during_drain",
            d99,
            "ms",
            q99,
            TARGET_P99_MS,
            "max",
            how,
            extra=extra,
            valid=_valid(during, plan) and still_draining,
        ),
        Figure(
            NAME,
            "backlog_drain_rate",
            rate,
            "events/s",
            raw_rate,
            TARGET_SHARE_OF_RAW * raw_rate,
            "min",
            drain_note,
            extra=raw_is,
            valid=complete,
        ),
        Figure(
            NAME,
            "backlog_drain_seconds",
            drain_s,
            "s",
            issued / raw_rate if raw_rate else None,
            None,
            "max",
            "first InvoiceIssued row written → provisioning recorded the last; baseline: the same count at the "
            "raw rate",
            extra=raw_is,
        ),
    ]
