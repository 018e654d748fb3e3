"""`python -m bench [--quick] [--scenario NAME ...]`: run the scenarios, one JSON line per figure on stdout.

Exit status: 0 when every scenario ran (a missed target is a figure, not a failure), 1 when a scenario could not
run, 130 on Ctrl-C. Progress goes to stderr; the children's logs stay in --log-dir.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType

from bench import (
    dunning_sweep,
    event_bus,
    gateway,
    notify_mail,
    panel_load,
    reactivation,
    renewal_day,
    renewal_run,
    staff_search,
)
from bench.common import Figure, emit_figure, say, server_settings
from bench.options import Options

Scenario = Callable[[Options], Awaitable[list[Figure]]]
SCENARIOS: dict[str, Scenario] = {
    "event_bus": event_bus.run,
    "gateway": gateway.run,
    "reactivation": reactivation.run,
    "renewal_run": renewal_run.run,
    "renewal_day": renewal_day.run,
    "dunning_sweep": dunning_sweep.run,
    "notify_mail": notify_mail.run,
    "panel_load": panel_load.run,
    "staff_search": staff_search.run,
}


def _parse(argv: list[str] | None) -> tuple[list[str], Options]:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="each scenario in under a minute")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted(SCENARIOS),
        metavar="NAME",
        help=f"run only these (repeatable): {', '.join(SCENARIOS)}; default all",
    )
    parser.add_argument(
        "--no-broker-restart",
        action="store_true",
        help="event_bus: skip (c), the RabbitMQ stop_app/start_app (it disturbs everyone)",
    )
    parser.add_argument(
        "--gateway-path",
        default="/invoices",
        help="gateway: billing path to GET (default /invoices, 'my invoices': JWT check + one indexed read)",
    )
    parser.add_argument(
        "--bus-producers",
        type=int,
        default=int(os.environ.get("BENCH_BUS_PRODUCERS", "2")),
        metavar="N",
        help="event_bus (b): producing processes (web workers, each with its relay) sharing the rate "
        "(default BENCH_BUS_PRODUCERS, else 2)",
    )
    parser.add_argument(
        "--reactivation-rate",
        type=float,
        metavar="R",
        help="reactivation: webhooks/s offered instead of the mode's (quick 20, full 50); services = rate x seconds",
    )
    parser.add_argument(
        "--reactivation-seconds",
        type=float,
        metavar="S",
        help="reactivation: seconds of webhooks instead of the mode's (quick 5, full 60)",
    )
    parser.add_argument("--profile", type=Path, metavar="DIR", help="py-spy record the measured processes into DIR")
    parser.add_argument("--keep", action="store_true", help="keep the abono_bench_* databases afterwards")
    parser.add_argument("--log-dir", type=Path, help="children's logs and raw data (default: a new temp folder)")
    args = parser.parse_args(argv)
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="abono-bench-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    options = Options(
        quick=args.quick,
        log_dir=log_dir,
        keep=args.keep,
        broker_restart=not args.no_broker_restart,
        profile=args.profile.resolve() if args.profile else None,
        gateway_path=args.gateway_path,
        bus_producers=max(1, args.bus_producers),
        reactivation_rate=args.reactivation_rate,
        reactivation_seconds=args.reactivation_seconds,
    )
    return args.scenario or list(SCENARIOS), options


async def _run_all(names: list[str], options: Options) -> int:
    failed: list[str] = []
    say(f"PostgreSQL: {await server_settings()}")
    for name in names:
        started = time.monotonic()
        say(f"scenario {name} ({'quick' if options.quick else 'full'}), logs in {options.log_dir}")
        try:
            for figure in await SCENARIOS[name](options):
                emit_figure(figure)
        except Exception as exc:  # noqa: BLE001 - any failure of one scenario is reported, the next one runs
            failed.append(name)
            say(f"scenario {name} FAILED: {exc}")
            traceback.print_exc(file=sys.stderr)
        say(f"scenario {name} took {time.monotonic() - started:.0f} s")
    if failed:
        say(f"failed: {', '.join(failed)}")
        return 1
    return 0


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # the same clean-up path as Ctrl-C


def main(argv: list[str] | None = None) -> int:
    names, options = _parse(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return asyncio.run(_run_all(names, options))
    except KeyboardInterrupt:
        say("interrupted: processes stopped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
