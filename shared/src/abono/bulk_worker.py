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
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

import structlog
import uvloop
from fastapi import FastAPI
from uvicorn.importer import import_from_string

log = structlog.get_logger("abono.bulk_worker")

DEFAULT_NICE = 10


async def run(factory: str) -> None:
    app: FastAPI = import_from_string(factory)()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with app.router.lifespan_context(app):
        log.info("bulk_worker_started", factory=factory, nice=os.nice(0))
        await stop.wait()
    log.info("bulk_worker_stopped", factory=factory)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m abono.bulk_worker", description=__doc__.split("\n\n")[0])
    parser.add_argument("factory", help="the service's app factory, as for uvicorn --factory (billing.app:create_app)")
    parser.add_argument("--nice", type=int, default=int(os.environ.get("ABONO_BULK_NICE", DEFAULT_NICE)),
                        help="added to the process's niceness (ABONO_BULK_NICE, default 10; 0 keeps it)")
    args = parser.parse_args(argv)
    os.environ["ABONO_PROCESS"] = "bulk"
    if args.nice:
        os.nice(args.nice)
    uvloop.run(run(args.factory))  # the event loop uvicorn[standard] gives the app


if __name__ == "__main__":
    main()
