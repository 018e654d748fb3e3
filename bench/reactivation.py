"""Scenario `reactivation`: billing's `InvoicePaid` for a suspended service → provisioning has committed the
reactivation (service `active`, `ServiceReactivated` in its outbox) → the fake WHM panel got `unsuspendacct`.

Billing and provisioning run as uvicorn processes on their own migrated databases, on the bench vhost. The load
process (`bench.reactivation_load`) serves the fake WHM panel, publishes billing's contract events for N services
until they are suspended, then one `InvoicePaid(reactivate_service_ids=[id])` per service at a fixed rate, and
measures publish → reactivation committed (issue 7: p50 ≤ 50 ms, p99 ≤ 250 ms; issue 5 item 4: median < 1 s) and
publish → panel called. Baseline: a plain aio-pika consumer of the same messages (raw publish → consume).
Not included yet: the signed payment webhook through billing (billing's own commit of the payment) — a later step.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from abono.auth import generate_keypair
from abono.migrations import upgrade
from abono.testing import free_port
from bench.common import (
    AMQP_URL,
    REPO_ROOT,
    Children,
    Figure,
    ScenarioFailed,
    bench_databases,
    ensure_bench_vhost,
    percentile,
    say,
    wait_ready,
)
from bench.options import Options

NAME = "reactivation"
BILLING_DB, PROVISIONING_DB = "abono_bench_react_billing", "abono_bench_react_provisioning"
TARGET_P50_MS, TARGET_P99_MS, TARGET_MEDIAN_ISSUE5_MS = 50.0, 250.0, 1000.0
WHM_TOKEN = "BENCHWHMTOKEN"
LEG_NOTE = "webhook → billing leg not included yet (InvoicePaid published as billing's relay would)"


@dataclass(frozen=True)
class Plan:
    services: int
    rate: float
    seconds: float


QUICK = Plan(services=100, rate=20, seconds=5)
FULL = Plan(services=1000, rate=50, seconds=60)


async def run(opts: Options) -> list[Figure]:
    plan = QUICK if opts.quick else FULL
    ensure_bench_vhost()
    async with bench_databases(BILLING_DB, PROVISIONING_DB, keep=opts.keep) as urls, Children(opts.log_dir) as children:
        await asyncio.to_thread(upgrade, REPO_ROOT / "billing-svc", urls[BILLING_DB])
        await asyncio.to_thread(upgrade, REPO_ROOT / "provisioning-svc", urls[PROVISIONING_DB])
        _, public_pem = generate_keypair()
        public_file = opts.log_dir / "reactivation-jwt-public.pem"
        public_file.write_text(public_pem)
        common = {
            "ABONO_AMQP_URL": AMQP_URL,
            "ABONO_JWT_PUBLIC_KEY_FILE": str(public_file),
            "ABONO_ENVIRONMENT": "development",
            "ABONO_LOG_LEVEL": "WARNING",
            "ABONO_TEST_MODE": "false",
        }
        billing_port, provisioning_port, whm_port = free_port(), free_port(), free_port()
        billing_url = f"http://127.0.0.1:{billing_port}"
        provisioning_url = f"http://127.0.0.1:{provisioning_port}"
        billing = children.uvicorn(
            "react-billing",
            "billing.app:create_app",
            billing_port,
            {**common, "BILLING_DATABASE_URL": urls[BILLING_DB], "BILLING_SCHEDULER_ENABLED": "false"},
        )
        provisioning = children.uvicorn(
            "react-provisioning",
            "provisioning.app:create_app",
            provisioning_port,
            {
                **common,
                "PROVISIONING_DATABASE_URL": urls[PROVISIONING_DB],
                "PROVISIONING_WHM_SERVERS": json.dumps(
                    {"whm1": {"url": f"http://127.0.0.1:{whm_port}", "token": WHM_TOKEN}}
                ),
                "PROVISIONING_ACTION_POLL_SECONDS": "0.05",
            },
        )
        await asyncio.gather(wait_ready(billing, billing_url), wait_ready(provisioning, provisioning_url))
        out = opts.log_dir / "reactivation-load.json"
        out.unlink(missing_ok=True)
        cpu0 = {"provisioning": provisioning.cpu_seconds(), "billing": billing.cpu_seconds()}
        load = children.python(
            "reactivation-load",
            [
                "-m",
                "bench.reactivation_load",
                "--whm-port",
                str(whm_port),
                "--whm-token",
                WHM_TOKEN,
                "--provisioning-url",
                provisioning_url,
                "--provisioning-dsn",
                urls[PROVISIONING_DB].replace("+asyncpg", ""),
                "--amqp-url",
                AMQP_URL,
                "--services",
                str(plan.services),
                "--rate",
                str(plan.rate),
                "--duration",
                str(plan.seconds),
                "--timeout",
                "10" if opts.quick else "30",
                "--out",
                str(out),
            ],
        )
        while load.alive():
            provisioning.check_alive()
            billing.check_alive()
            await asyncio.sleep(0.2)
        if load.proc.returncode != 0:
            raise ScenarioFailed(f"reactivation load failed:\n{load.tail()}")
        cpu = {
            "provisioning": round(provisioning.cpu_seconds() - cpu0["provisioning"], 1),
            "billing": round(billing.cpu_seconds() - cpu0["billing"], 1),
        }
    result: dict[str, Any] = json.loads(out.read_text())
    ms = {k: [v * 1000 for v in result[k]] for k in ("committed_s", "panel_s", "baseline_s")}
    p = {k: (percentile(v, 50), percentile(v, 99)) for k, v in ms.items()}
    valid = result["missing"] == 0 and result["achieved_rate"] >= plan.rate * 0.95
    say(
        f"reactivation: {result['sent']} sent at {result['achieved_rate']}/s, missing {result['missing']}, "
        f"committed p50/p99 {p['committed_s'][0]:.1f}/{p['committed_s'][1]:.1f} ms, panel "
        f"{p['panel_s'][0]:.1f}/{p['panel_s'][1]:.1f} ms, baseline {p['baseline_s'][0]:.1f}/"
        f"{p['baseline_s'][1]:.1f} ms, set-up {result['setup_s']} s, CPU s {cpu}"
    )
    how = (
        f"{result['sent']} InvoicePaid(reactivate) at {plan.rate:.0f}/s offered ({result['achieved_rate']}/s "
        f"achieved) for {plan.services} suspended services; from publish to the service seen 'active' in "
        f"provisioning's DB (polled every 5 ms); {result['missing']} never committed; {LEG_NOTE}"
    )
    base = {"baseline_is": "raw aio-pika publish → consume (quorum queue, manual ack) of the same messages"}
    extra = {**base, "provisioning_cpu_s": cpu["provisioning"], "sent": result["sent"]}
    return [
        Figure(
            NAME,
            "committed_p50",
            p["committed_s"][0],
            "ms",
            p["baseline_s"][0],
            TARGET_P50_MS,
            "max",
            how,
            extra=extra,
            valid=valid,
        ),
        Figure(
            NAME,
            "committed_p99",
            p["committed_s"][1],
            "ms",
            p["baseline_s"][1],
            TARGET_P99_MS,
            "max",
            how,
            extra=extra,
            valid=valid,
        ),
        Figure(
            NAME,
            "committed_median_issue5",
            p["committed_s"][0],
            "ms",
            p["baseline_s"][0],
            TARGET_MEDIAN_ISSUE5_MS,
            "max",
            f"issue 5 item 4 (median < 1 s); {LEG_NOTE}",
            extra=base,
            valid=valid,
        ),
        Figure(
            NAME,
            "panel_called_p50",
            p["panel_s"][0],
            "ms",
            p["baseline_s"][0],
            None,
            "max",
            f"diagnostic: publish → fake WHM got unsuspendacct ({len(ms['panel_s'])} calls); p99 "
            f"{p['panel_s'][1]:.1f} ms",
            extra=base,
        ),
        Figure(
            NAME,
            "panel_called_p99",
            p["panel_s"][1],
            "ms",
            p["baseline_s"][1],
            None,
            "max",
            "diagnostic: publish → fake WHM got unsuspendacct",
            extra=base,
        ),
    ]
