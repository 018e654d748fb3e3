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

Each worker listens on a socket of its own, all bound to the same address with `SO_REUSEPORT` (Linux), so the kernel
spreads new connections over the workers evenly (by their addresses' hash). With uvicorn's one shared socket,
whichever worker was awake accepted a whole burst of them: 64 keep-alive connections ended 73 % / 27 % on two
workers (bench `gateway`, issue 20). A worker that dies is replaced on its own socket, which the supervisor keeps
open meanwhile, so connections the kernel sent to it wait for the replacement instead of being refused.
`ABONO_REUSEPORT=false` goes back to one shared socket (and where `SO_REUSEPORT` is missing, or with `--uds`/`--fd`).
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import socket
import sys
import tempfile

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.main import main as uvicorn_command
from uvicorn.supervisors.multiprocess import Multiprocess, Process

from abono.settings import GC_FREEZE_VARIABLE

WORKERS_SUFFIX = "WEB_WORKERS"
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
REUSEPORT = "ABONO_REUSEPORT"
log = logging.getLogger("uvicorn.error")


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


def reuse_port(environ: dict[str, str] | None = None) -> bool:
    """Whether the workers get a listening socket each (`SO_REUSEPORT`): where the system has it, unless
    `ABONO_REUSEPORT` is false."""
    value = (os.environ if environ is None else environ).get(REUSEPORT, "true").strip().lower()
    if value not in {"true", "false", "1", "0", "yes", "no"}:
        raise SystemExit(f"{REUSEPORT} must be true or false, not {value!r}")
    return value in {"true", "1", "yes"} and hasattr(socket, "SO_REUSEPORT")


def listening_sockets(bound: socket.socket, count: int) -> list[socket.socket]:
    """`count` sockets bound with `SO_REUSEPORT` to the address `bound` has (its port if it was 0), which is closed."""
    address = bound.getsockname()
    family = bound.family
    bound.close()
    sockets = []
    for _ in range(count):
        sock = socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.set_inheritable(True)
        sockets.append(sock)
    return sockets


class SocketPerWorker(Multiprocess):
    """uvicorn's supervisor (health checks, restarts, signals) with worker `i` always on socket `i`."""

    def __init__(self, config: Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets)
        if len(sockets) != 1:
            raise SystemExit("abono.serve: one listening address only")
        self.slots = listening_sockets(sockets[0], self.processes_num)

    def _process(self, index: int) -> Process:
        return Process(self.config, [self.slots[index]])

    def init_processes(self) -> None:
        for index in range(self.processes_num):
            process = self._process(index)
            process.start()
            self.processes.append(process)

    def restart_all(self) -> None:  # SIGHUP: each worker replaced on its socket once its successor is ready
        for index, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._process(index)
            new.start()
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                log.error("New worker [%s] was not ready in time; keeping [%s].", new.pid, old.pid)
                return
            old.terminate()
            old.join()
            self.processes[index] = new

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for index, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("Worker [%s] failed to start, stopping.", process.pid)
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            log.info("Worker [%s] died; replaced on its socket.", process.pid)
            replacement = self._process(index)
            replacement.start()
            self.processes[index] = replacement

    def handle_ttin(self) -> None:
        log.warning("abono.serve: the number of workers is <PREFIX>WEB_WORKERS; SIGTTIN is ignored.")

    def handle_ttou(self) -> None:
        log.warning("abono.serve: the number of workers is <PREFIX>WEB_WORKERS; SIGTTOU is ignored.")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0].startswith("-"):
        raise SystemExit("usage: python -m abono.serve <package.app:factory> [uvicorn options]")
    factory, rest = args[0], args[1:]
    count = web_workers(factory)
    os.environ.setdefault(GC_FREEZE_VARIABLE, "true")  # each worker freezes its heap once started (inherited)
    made = None
    if count > 1 and not os.environ.get(MULTIPROC_DIR):
        made = tempfile.mkdtemp(prefix=f"abono-metrics-{workers_variable(factory).lower()}-")
        os.environ[MULTIPROC_DIR] = made  # inherited by the workers, which import prometheus_client afresh
    if count > 1 and reuse_port() and not any(arg.startswith(("--uds", "--fd")) for arg in rest):
        # What uvicorn.run starts its workers with (`uvicorn.main` the attribute is the click command, not the module).
        setattr(importlib.import_module("uvicorn.main"), "Multiprocess", SocketPerWorker)  # noqa: B010
    try:
        uvicorn_command.main(args=["--factory", factory, "--workers", str(count), *rest], standalone_mode=False)
    finally:
        if made:
            shutil.rmtree(made, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
