"""`python -m abono.bulk_worker billing.app:create_app`: a service's bulk lane in a process of its own (issue 20).

The app factory's service is built as uvicorn would build it, with `ABONO_PROCESS=bulk`, and its lifespan runs
without an HTTP server: the relay's bulk-lane loop (a renewal run's `InvoiceIssued`, reminders...), the consumers
of the service's `.bulk` queues and its workers marked `WorkerSpec(process="bulk")` (billing's scheduler: the
renewal run itself), nothing else (no other workers, no startup hooks: a worker's own `prepare` runs instead).
The process lowers its own CPU priority first (`os.nice`, `ABONO_BULK_NICE`, default 10), so on a busy machine
the kernel runs the app process (the webhook, the urgent relay loop and queue: B-7, P-2) before it.
The app must run with `<PREFIX>BULK_LANE=separate` (it then declares the bulk queues and leaves the bulk lane to
this process); run one bulk worker (or more: claims are `SKIP LOCKED`, the inbox applies an event once) next to the
app's replicas.
SIGTERM or SIGINT stops it the way uvicorn stops an app: deliveries in hand finish, the relay's batch is marked.

It serves no API, only a listener of its own on `<PREFIX>BULK_METRICS_PORT` (default: the app's port + 1000, on the
app's `<PREFIX>HOST`): `/healthz`, its liveness (200 while the broker connection is up and every consumer of its
`.bulk` queues consumes, else 503 naming what is down; the event loop answering it is the rest), and `/metrics`, its
own registry (the consumers' and relay's counters, a renewal run's progress), or every process's sum when it shares a
`PROMETHEUS_MULTIPROC_DIR` (then scrape one of them only). The database is not checked: restarting the worker does
not bring PostgreSQL back, and the app's `/readyz` reports it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
from collections.abc import AsyncIterator, Iterator

import structlog
import uvicorn
import uvloop
from fastapi import FastAPI
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.importer import import_from_string

from abono.errors import problem
from abono.metrics import ServiceMetrics
from abono.settings import GC_FREEZE_VARIABLE, ServiceSettings

log = structlog.get_logger("abono.bulk_worker")

DEFAULT_NICE = 10


async def run(factory: str) -> None:
    app: FastAPI = import_from_string(factory)()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with app.router.lifespan_context(app), listening(app) as url:
        log.info("bulk_worker_started", factory=factory, nice=os.nice(0), listening=url)
        await stop.wait()
    log.info("bulk_worker_stopped", factory=factory)


def liveness(app: FastAPI) -> dict[str, bool]:
    """The bulk worker's checks: its broker connection (as the app's `/readyz` checks it) and its consumers."""
    checks = {"broker": bool(app.state.broker.is_connected)}
    if app.state.settings.run_workers:
        checks["consumers"] = bool(app.state.consumer_runner.is_consuming)
    return checks


def probe_app(app: FastAPI) -> ASGIApp:
    """`/healthz` and `/metrics` of the bulk worker running `app` (its lifespan entered): a bare ASGI app, nothing
    else to route."""
    metrics: ServiceMetrics = app.state.metrics
    service: str = app.state.service_name

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        response: Response
        if scope["method"] not in ("GET", "HEAD"):
            response = problem(405, "Method Not Allowed", headers={"Allow": "GET, HEAD"})
        elif scope["path"] == "/metrics":
            response = metrics.render()
        elif scope["path"] == "/healthz":
            checks = liveness(app)
            if all(checks.values()):
                response = JSONResponse({"status": "ok", "service": service, "process": "bulk", "checks": checks})
            else:
                down = ", ".join(name for name, ok in checks.items() if not ok)
                response = problem(503, "Service Unavailable", f"Not live: {down} down.", code="not-live",
                                   checks=checks)
        else:
            response = problem(404, "Not Found", "The bulk worker serves /healthz and /metrics only.")
        await response(scope, receive, send)

    return asgi


class _Listener(uvicorn.Server):
    """uvicorn on the bulk worker's own event loop. Its signals stop the worker (`run`), which then stops this."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def listening(app: FastAPI) -> AsyncIterator[str | None]:
    """Serve `probe_app(app)` on the service's `bulk_listener_port()` while inside; yields its URL, or None when the
    port is 0 or taken (logged: the worker runs on without it, its probes then fail)."""
    settings: ServiceSettings = app.state.settings
    port = settings.bulk_listener_port()
    if port is None:
        yield None
        return
    # IPPROTO_TCP: asyncio then sets TCP_NODELAY on the connections it accepts (no 40 ms delayed-ACK stall between
    # uvicorn's two writes of a response; see `abono.testing.listening_socket`).
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET, socket.SOCK_STREAM,
                         socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((settings.host, port))
        sock.listen(64)  # connections wait in the backlog until uvicorn's first pass serves them: no start-up race
    except OSError as exc:  # bound here, not by uvicorn: its bind failure is a SystemExit that ends the event loop
        sock.close()
        log.error("bulk_worker_listener_failed", host=settings.host, port=port, error=str(exc))
        yield None
        return
    # log_config=None: uvicorn leaves the service's logging (abono.logging) as it is.
    config = uvicorn.Config(probe_app(app), lifespan="off", log_config=None, access_log=False, server_header=False)
    server = _Listener(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="bulk-worker-listener")
    try:
        yield f"http://{settings.host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m abono.bulk_worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("factory", help="the service's app factory, as for uvicorn --factory (billing.app:create_app)")
    parser.add_argument("--nice", type=int, default=int(os.environ.get("ABONO_BULK_NICE", DEFAULT_NICE)),
                        help="added to the process's niceness (ABONO_BULK_NICE, default 10; 0 keeps it)")
    args = parser.parse_args(argv)
    os.environ["ABONO_PROCESS"] = "bulk"
    os.environ.setdefault(GC_FREEZE_VARIABLE, "true")  # a process of its own, for the service's life
    if args.nice:
        os.nice(args.nice)
    uvloop.run(run(args.factory))  # the event loop uvicorn[standard] gives the app


if __name__ == "__main__":
    main()
