"""Start one service under uvicorn with its web worker processes (issue 20): what `make run`, the image's entry point
and the bench all run, so each starts a service the same way.

    python -m abono.serve billing.app:create_app --port 8001 [any other uvicorn option]

The number of processes is `<PREFIX>WEB_WORKERS` (e.g. `BILLING_WEB_WORKERS`, the service's `web_workers` setting;
the prefix is the factory's package), default 1. Each worker is a whole replica of the service in one process: its
own pools, outbox relay, consumers, periodic jobs, revocation list and token cache, all safe with several replicas
(work claimed with `FOR UPDATE SKIP LOCKED` or advisory locks, competing consumers on the same queues, the gateway's
live-stream listener on a queue of its own per process). What they must share is `/metrics`: with more than one
worker, prometheus_client's multiprocess mode keeps every worker's values in files under `PROMETHEUS_MULTIPROC_DIR`
(a fresh directory made here, removed at exit, unless you set one) and any worker's `/metrics` reports the sum over
all of them (`abono.metrics.ServiceMetrics.render`); gauges carry a `pid` label.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from uvicorn.main import main as uvicorn_command

WORKERS_SUFFIX = "WEB_WORKERS"
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def workers_variable(factory: str) -> str:
    """`billing.app:create_app` → `BILLING_WEB_WORKERS`."""
    return f"{factory.split('.', 1)[0].split(':', 1)[0].upper()}_{WORKERS_SUFFIX}"


def web_workers(factory: str, environ: dict[str, str] | None = None) -> int:
    value = (os.environ if environ is None else environ).get(workers_variable(factory), "1")
    try:
        count = int(value)
    except ValueError:
        raise SystemExit(f"{workers_variable(factory)} must be a whole number, not {value!r}") from None
    if not 1 <= count <= 64:
        raise SystemExit(f"{workers_variable(factory)} must be between 1 and 64, not {count}")
    return count


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0].startswith("-"):
        raise SystemExit("usage: python -m abono.serve <package.app:factory> [uvicorn options]")
    factory, rest = args[0], args[1:]
    count = web_workers(factory)
    made = None
    if count > 1 and not os.environ.get(MULTIPROC_DIR):
        made = tempfile.mkdtemp(prefix=f"abono-metrics-{workers_variable(factory).lower()}-")
        os.environ[MULTIPROC_DIR] = made  # inherited by the workers, which import prometheus_client afresh
    try:
        uvicorn_command.main(args=["--factory", factory, "--workers", str(count), *rest], standalone_mode=False)
    finally:
        if made:
            shutil.rmtree(made, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
