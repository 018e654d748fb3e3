"""Scenario `reactivation` (issue 7, B-7, P-2): a signed Stripe payment webhook for a client's overdue invoice →
billing verifies, stores and answers it, applies the payment (`InvoicePaid` with the service to reactivate) → outbox
→ relay → RabbitMQ → provisioning has committed the reactivation (service `active`) → the fake WHM panel got
`unsuspendacct`.

Billing and provisioning run as uvicorn processes on their own migrated databases, on the bench vhost; billing's
Stripe is the fake Stripe the load process (`bench.reactivation_load`) serves, with a webhook secret of its own.
Target: webhook sent → reactivation committed, p50 ≤ 50 ms, p99 ≤ 250 ms (issue 5 item 4: median < 1 s).
Baseline, same webhooks in the same run: webhook sent → billing's own commit of the payment (invoice `paid`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from abono.auth import generate_keypair
from abono.db import make_engine, make_sessionmaker, unit_of_work
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
    percentile,
    say,
    start_profiler,
    wait_ready,
)
from bench.options import Options
from billing.catalog.seeding import load_seed_catalog

NAME = "reactivation"
BILLING_DB, PROVISIONING_DB = "abono_bench_react_billing", "abono_bench_react_provisioning"
TARGET_P50_MS, TARGET_P99_MS, TARGET_MEDIAN_ISSUE5_MS = 50.0, 250.0, 1000.0
WHM_TOKEN, STRIPE_SECRET = "BENCHWHMTOKEN", "whsec_bench_reactivation"
BASELINE_IS = "webhook sent → billing's own commit of the payment (invoice 'paid' in billing's DB), same webhooks"


@dataclass(frozen=True)
class Plan:
    services: int
    rate: float
    seconds: float


QUICK = Plan(services=100, rate=20, seconds=5)
FULL = Plan(services=3000, rate=50, seconds=60)


async def _load_catalog(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            await load_seed_catalog(session)  # what `make db` does
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Services:
    """Billing and provisioning under uvicorn, wired to the load process's fake WHM and fake Stripe."""

    billing: Child
    provisioning: Child
    billing_url: str
    provisioning_url: str
    billing_db: str
    provisioning_db: str
    whm_port: int
    stripe_port: int
    private_file: Path
    bulk_workers: tuple[Child, ...] = ()  # `python -m abono.bulk_worker` of each, with bulk_lane="separate"

    def load_args(self) -> list[str]:
        """The load process's options that say where everything is."""
        # fmt: off
        return [
            "--whm-port", str(self.whm_port), "--whm-token", WHM_TOKEN,
            "--stripe-port", str(self.stripe_port), "--stripe-secret", STRIPE_SECRET,
            "--jwt-private-key-file", str(self.private_file),
            "--billing-url", self.billing_url, "--billing-dsn", self.billing_db.replace("+asyncpg", ""),
            "--provisioning-url", self.provisioning_url,
            "--provisioning-dsn", self.provisioning_db.replace("+asyncpg", ""),
            "--amqp-url", AMQP_URL,
        ]
        # fmt: on


async def start_services(
    opts: Options, children: Children, billing_db: str, provisioning_db: str, *, bulk_lane: str = "in_process"
) -> Services:
    """Start billing and provisioning (migrated databases given) and wait until both are ready. With
    `bulk_lane="separate"`, each also gets its bulk worker process (`abono.bulk_worker`), as `make run` starts them."""
    private_pem, public_pem = generate_keypair()
    public_file = opts.log_dir / "reactivation-jwt-public.pem"
    public_file.write_text(public_pem)
    private_file = opts.log_dir / "reactivation-jwt-private.pem"
    private_file.write_text(private_pem)
    private_file.chmod(0o600)
    common = {
        "ABONO_AMQP_URL": AMQP_URL,
        "ABONO_JWT_PUBLIC_KEY_FILE": str(public_file),
        "ABONO_ENVIRONMENT": "development",
        "ABONO_LOG_LEVEL": "WARNING",
        "ABONO_TEST_MODE": "false",
    }
    billing_port, provisioning_port, whm_port, stripe_port = free_port(), free_port(), free_port(), free_port()
    billing_url = f"http://127.0.0.1:{billing_port}"
    provisioning_url = f"http://127.0.0.1:{provisioning_port}"
    billing_env = {
        **common,
        "BILLING_DATABASE_URL": billing_db,
        "BILLING_SCHEDULER_ENABLED": "false",
        "BILLING_STRIPE_API_KEY": "sk_test_bench",
        "BILLING_STRIPE_API_URL": f"http://127.0.0.1:{stripe_port}",
        "BILLING_STRIPE_WEBHOOK_SECRETS": json.dumps([STRIPE_SECRET]),
        "BILLING_BULK_LANE": bulk_lane,
    }
    # The action worker at its default poll (0.5 s), as deployed: a reactivation wakes it at its commit (issue 20).
    # The 0.05 s this bench used to set cost provisioning ~0.4 of a core of empty passes the whole run.
    provisioning_env = {
        **common,
        "PROVISIONING_DATABASE_URL": provisioning_db,
        "PROVISIONING_WHM_SERVERS": json.dumps({"whm1": {"url": f"http://127.0.0.1:{whm_port}", "token": WHM_TOKEN}}),
        "PROVISIONING_BULK_LANE": bulk_lane,
    }
    billing = children.uvicorn("react-billing", "billing.app:create_app", billing_port, billing_env)
    provisioning = children.uvicorn(
        "react-provisioning", "provisioning.app:create_app", provisioning_port, provisioning_env
    )
    await asyncio.gather(wait_ready(billing, billing_url), wait_ready(provisioning, provisioning_url))
    bulk_workers: tuple[Child, ...] = ()
    if bulk_lane == "separate":  # after the apps declared the bulk queues
        # No listener (`<PREFIX>BULK_METRICS_PORT=0`): the default, the app's default port + 1000 (9001, 9002), may be
        # taken on this machine, and no bench reads the bulk workers' /healthz or /metrics.
        bulk_workers = tuple(
            children.python(f"react-{name}-bulk", ["-m", "abono.bulk_worker", f"{name}.app:create_app"],
                            {**env, f"{name.upper()}_BULK_METRICS_PORT": "0"})
            for name, env in (("billing", billing_env), ("provisioning", provisioning_env))
        )
    return Services(billing, provisioning, billing_url, provisioning_url, billing_db, provisioning_db, whm_port,
                    stripe_port, private_file, bulk_workers)  # fmt: skip


def plan_of(opts: Options) -> Plan:
    """The mode's plan, with `--reactivation-rate` / `--reactivation-seconds` if given (one service a webhook)."""
    plan = QUICK if opts.quick else FULL
    if opts.reactivation_rate is None and opts.reactivation_seconds is None:
        return plan
    rate = opts.reactivation_rate or plan.rate
    seconds = opts.reactivation_seconds or plan.seconds
    return Plan(services=max(1, int(rate * seconds)), rate=rate, seconds=seconds)


async def run(opts: Options) -> list[Figure]:
    plan = plan_of(opts)
    ensure_bench_vhost()
    async with bench_databases(BILLING_DB, PROVISIONING_DB, keep=opts.keep) as urls, Children(opts.log_dir) as children:
        await asyncio.to_thread(upgrade, REPO_ROOT / "billing-svc", urls[BILLING_DB])
        await asyncio.to_thread(upgrade, REPO_ROOT / "provisioning-svc", urls[PROVISIONING_DB])
        await _load_catalog(urls[BILLING_DB])
        pair = await start_services(opts, children, urls[BILLING_DB], urls[PROVISIONING_DB])
        billing, provisioning = pair.billing, pair.provisioning
        out = opts.log_dir / "reactivation-load.json"
        out.unlink(missing_ok=True)
        cpu0 = {"provisioning": provisioning.cpu_seconds(), "billing": billing.cpu_seconds()}
        # fmt: off
        load = children.python("reactivation-load", [
            "-m", "bench.reactivation_load",
            *pair.load_args(),
            "--services", str(plan.services), "--rate", str(plan.rate), "--duration", str(plan.seconds),
            "--timeout", "10" if opts.quick else "30",
            "--out", str(out),
        ])
        # fmt: on
        profilers: list[Child | None] | None = None if opts.profile else []
        measured0: dict[str, float] | None = None  # CPU when the set-up ended (seen within 0.2 s)
        while load.alive():
            provisioning.check_alive()
            billing.check_alive()
            if measured0 is None and "set-up:" in load.log_path.read_text(errors="replace"):
                # The measured part starts: its CPU apart, and its profile (not the set-up's).
                measured0 = {"provisioning": provisioning.cpu_seconds(), "billing": billing.cpu_seconds()}
                if profilers is None:
                    profilers = [start_profiler(children, t, plan.seconds, opts.profile)
                                 for t in (billing, provisioning)]
            await asyncio.sleep(0.2)
        for profiler in profilers or []:
            if profiler is not None:  # py-spy writes its file when its duration ends
                await profiler.wait(within=plan.seconds + 30)
        if load.proc.returncode != 0:
            raise ScenarioFailed(f"reactivation load failed:\n{load.tail()}")
        cpu1 = {"provisioning": provisioning.cpu_seconds(), "billing": billing.cpu_seconds()}
        cpu = {name: round(cpu1[name] - cpu0[name], 1) for name in cpu1}
        if measured0 is not None:  # the webhooks and what follows them, without the set-up
            cpu |= {f"{name}_measured": round(cpu1[name] - measured0[name], 1) for name in cpu1}
    return figures(json.loads(out.read_text()), plan, cpu)


def figures(result: dict[str, Any], plan: Plan, cpu: dict[str, float]) -> list[Figure]:
    keys = ("active_s", "paid_s", "panel_s", "bus_s", "ack_s")
    ms = {k: [v * 1000 for v in result[k]] for k in keys}
    p = {k: (percentile(v, 50), percentile(v, 99)) if v else (0.0, 0.0) for k, v in ms.items()}
    valid = (
        result["missing"] == 0
        and result["missing_paid"] == 0
        and result["rejected"] == 0
        and result["achieved_rate"] >= plan.rate * 0.95
    )
    say(
        f"reactivation: {result['sent']} webhooks at {result['achieved_rate']}/s, rejected {result['rejected']} "
        f"{result['rejected_sample']}, never active {result['missing']}, never paid {result['missing_paid']}; "
        f"p50/p99 ms: active {p['active_s'][0]:.1f}/{p['active_s'][1]:.1f}, billing paid {p['paid_s'][0]:.1f}/"
        f"{p['paid_s'][1]:.1f}, 2xx {p['ack_s'][0]:.1f}/{p['ack_s'][1]:.1f}, InvoicePaid on the bus "
        f"{p['bus_s'][0]:.1f}/{p['bus_s'][1]:.1f}, panel {p['panel_s'][0]:.1f}/{p['panel_s'][1]:.1f}; "
        f"set-up {result['setup_s']} s, CPU s {cpu}"
    )
    how = (
        f"{result['sent']} signed Stripe checkout.session.completed webhooks (one per overdue invoice, to billing "
        f"directly) at {plan.rate:.0f}/s offered ({result['achieved_rate']}/s achieved); from the send to the "
        f"service seen 'active' in provisioning's DB (polled every 5 ms); {result['rejected']} answered non-2xx, "
        f"{result['missing']} never reactivated"
    )
    extra = {
        "baseline_is": BASELINE_IS,
        "provisioning_cpu_s": cpu["provisioning"],
        "billing_cpu_s": cpu["billing"],
        "provisioning_cpu_measured_s": cpu.get("provisioning_measured"),
        "billing_cpu_measured_s": cpu.get("billing_measured"),
        "sent": result["sent"],
        "ack_p50_ms": round(p["ack_s"][0], 1),
        "ack_p99_ms": round(p["ack_s"][1], 1),
    }
    base = {"baseline_is": BASELINE_IS}

    def figure(
        metric: str, value: float, baseline: float, target: float | None, note: str, more: dict[str, Any]
    ) -> Figure:
        return Figure(
            NAME,
            metric,
            value,
            "ms",
            baseline,
            target,
            "max",
            note,
            extra=more,
            valid=valid if target is not None else True,
        )

    return [
        figure("webhook_to_active_p50", p["active_s"][0], p["paid_s"][0], TARGET_P50_MS, how, extra),
        figure("webhook_to_active_p99", p["active_s"][1], p["paid_s"][1], TARGET_P99_MS, how, extra),
        figure(
            "webhook_to_active_median_issue5",
            p["active_s"][0],
            p["paid_s"][0],
            TARGET_MEDIAN_ISSUE5_MS,
            "issue 5 item 4 (median < 1 s), same run",
            base,
        ),
        figure(
            "panel_called_p50",
            p["panel_s"][0],
            p["paid_s"][0],
            None,
            f"diagnostic: webhook → fake WHM got unsuspendacct ({result['panel_missing']} never called); p99 "
            f"{p['panel_s'][1]:.1f} ms",
            base,
        ),
        figure(
            "panel_called_p99",
            p["panel_s"][1],
            p["paid_s"][1],
            None,
            "diagnostic: webhook → fake WHM got unsuspendacct",
            base,
        ),
        figure(
            "invoice_paid_on_bus_p50",
            p["bus_s"][0],
            p["paid_s"][0],
            None,
            f"diagnostic: webhook → billing's InvoicePaid consumed from RabbitMQ by a plain aio-pika consumer "
            f"(outbox → relay → broker); p99 {p['bus_s'][1]:.1f} ms",
            base,
        ),
    ]
