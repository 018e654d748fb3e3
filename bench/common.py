"""What every scenario shares: figures, percentiles, child processes, databases, the RabbitMQ vhost."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import aiohttp
import asyncpg

from abono.testing import recreate_database_on

REPO_ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_DSN = os.environ.get("ABONO_BENCH_PG_DSN", "postgresql://postgres:postgres@127.0.0.1:5432/postgres")
BENCH_VHOST = "abono_bench"
AMQP_URL = os.environ.get("ABONO_BENCH_AMQP_URL", f"amqp://guest:guest@127.0.0.1:5672/{BENCH_VHOST}")
DB_PREFIX = "abono_bench_"


class ScenarioFailed(RuntimeError):
    """The scenario could not run (a process died, a wait timed out): exit non-zero."""


def say(text: str) -> None:
    """Progress for humans, on stderr: stdout carries only the JSON figures."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# --- figures ------------------------------------------------------------------------------------------------------
Goal = Literal["min", "max"]  # "min": the value must be at least the target; "max": at most


@dataclass
class Figure:
    scenario: str
    metric: str
    value: float
    unit: str
    baseline: float | None
    target: float | None = None
    goal: Goal = "min"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # False forces a miss whatever the value (e.g. the offered rate was not reached, or requests failed).
    valid: bool = True

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return round(self.value / self.baseline, 3)

    @property
    def meets_target(self) -> bool | None:
        if self.target is None:
            return None
        ok = self.value >= self.target if self.goal == "min" else self.value <= self.target
        return ok and self.valid

    def line(self) -> str:
        record: dict[str, Any] = {
            "scenario": self.scenario,
            "metric": self.metric,
            "value": _round(self.value),
            "unit": self.unit,
            "baseline": _round(self.baseline),
            "ratio": self.ratio,
            "target": self.target,
            "meets_target": self.meets_target,
        }
        if self.target is not None:
            record["target_is"] = "at least" if self.goal == "min" else "at most"
        if self.note:
            record["note"] = self.note
        record.update(self.extra)
        record["load_avg_1m"] = round(os.getloadavg()[0], 2)  # how busy the machine was: judge the noise
        return json.dumps(record, ensure_ascii=False)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def emit_figure(figure: Figure) -> None:
    print(figure.line(), flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`; NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# --- child processes ----------------------------------------------------------------------------------------------
def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the bench itself dies, even by SIGKILL (Linux, best effort)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Child:
    """A process of ours in its own process group, output to a log file; stopped by `stop()` (TERM, then KILL)."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            list(argv),
            cwd=REPO_ROOT,
            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def check_alive(self) -> None:
        if not self.alive():
            raise ScenarioFailed(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of the process and its live descendants (a service's web workers, issue
        20), from /proc; 0 where unavailable."""
        stats: dict[int, list[str]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError):
                    stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            if pid in stats:
                tree.append(pid)
                todo.extend(p for p, fields in stats.items() if int(fields[1]) == pid)
        ticks = sum(int(stats[p][11]) + int(stats[p][12]) for p in tree)
        return ticks / os.sysconf("SC_CLK_TCK")

    async def wait(self, within: float) -> int:
        deadline = time.monotonic() + within
        while self.alive():
            if time.monotonic() > deadline:
                raise ScenarioFailed(f"{self.name} did not finish within {within:.0f} s:\n{self.tail()}")
            await asyncio.sleep(0.05)
        return self.proc.returncode

    async def stop(self, grace: float = 8.0) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                await asyncio.to_thread(self.proc.wait, grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                await asyncio.to_thread(self.proc.wait)
        self._log.close()


class Children:
    """Every process a scenario starts; `async with` stops them all, even on failure or Ctrl-C."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._all: list[Child] = []

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None) -> Child:
        child = Child(name, argv, env or {}, self.log_dir)
        self._all.append(child)
        return child

    def python(self, name: str, module_args: Sequence[str], env: Mapping[str, str] | None = None) -> Child:
        return self.start(name, [sys.executable, *module_args], env)

    def uvicorn(self, name: str, factory: str, port: int, env: Mapping[str, str]) -> Child:
        return self.python(
            name,
            [
                "-m",
                "abono.serve",  # as `make run` and the image start a service: <PREFIX>WEB_WORKERS processes
                factory,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--no-proxy-headers",
            ],
            env,
        )

    async def __aenter__(self) -> Children:
        return self

    async def __aexit__(self, *_: object) -> None:
        await asyncio.shield(asyncio.gather(*(c.stop() for c in self._all), return_exceptions=True))


async def wait_ready(child: Child, url: str, *, path: str = "/readyz", within: float = 60.0) -> None:
    """Poll `url + path` until it answers 200 (the child must stay alive meanwhile)."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while True:
            child.check_alive()
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(url + path, timeout=aiohttp.ClientTimeout(total=2)) as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise ScenarioFailed(f"{child.name} not ready at {url}{path} after {within:.0f} s:\n{child.tail()}")
            await asyncio.sleep(0.2)


async def get_json(url: str) -> Any:
    limit = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=limit) as session, session.get(url) as r:
        r.raise_for_status()
        return await r.json()


# --- PostgreSQL ---------------------------------------------------------------------------------------------------
def database_url(name: str, driver: str = "postgresql+asyncpg") -> str:
    return f"{PG_ADMIN_DSN.rsplit('/', 1)[0].replace('postgresql', driver, 1)}/{name}"


async def recreate_database(name: str) -> None:
    if not name.startswith(DB_PREFIX):
        raise ValueError(f"bench databases are named {DB_PREFIX}*: {name!r}")
    await recreate_database_on(PG_ADMIN_DSN, name)


async def drop_databases(names: Sequence[str]) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        for name in names:
            if name.startswith(DB_PREFIX):
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# The server's settings that move the write-heavy scenarios' figures (renewal_run, renewal_day): with PostgreSQL's
# default max_wal_size (1 GB) the 1M renewal run checkpoints every 4-5 s; deploy/README.md "WAL and checkpoints".
SERVER_SETTINGS = ("max_wal_size", "checkpoint_timeout", "shared_buffers", "synchronous_commit")


async def server_settings() -> str:
    """The PostgreSQL settings of SERVER_SETTINGS as `name=value`, for the run's log beside its figures."""
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        rows = await conn.fetch("SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name",
                                list(SERVER_SETTINGS))
    finally:
        await conn.close()
    return ", ".join(f"{r['name']}={r['value']}" for r in rows)


@contextlib.asynccontextmanager
async def bench_databases(*names: str, keep: bool = False) -> AsyncIterator[dict[str, str]]:
    """Fresh databases for a scenario, dropped afterwards unless `keep`; yields name → SQLAlchemy URL."""
    for name in names:
        await recreate_database(name)
    try:
        yield {name: database_url(name) for name in names}
    finally:
        if not keep:
            with contextlib.suppress(Exception):
                await asyncio.shield(drop_databases(names))


# --- RabbitMQ -----------------------------------------------------------------------------------------------------
def rabbitmqctl(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    if shutil.which("rabbitmqctl") is None:
        raise ScenarioFailed("rabbitmqctl is not on PATH (the bench manages its vhost and restarts with it)")
    return subprocess.run(  # noqa: S603 - fixed program, our own arguments
        ["rabbitmqctl", "-q", *args],  # noqa: S607 - found on PATH on purpose (checked above)
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def ensure_bench_vhost() -> None:
    """Our own vhost, so the bench never sees (or disturbs) the tests' or `make run`'s queues."""
    if "ABONO_BENCH_AMQP_URL" in os.environ:
        return
    if BENCH_VHOST in rabbitmqctl("list_vhosts").stdout.split():
        return
    say(f"creating RabbitMQ vhost {BENCH_VHOST}")
    rabbitmqctl("add_vhost", BENCH_VHOST)
    rabbitmqctl("set_permissions", "-p", BENCH_VHOST, "guest", ".*", ".*", ".*")


# --- profiling ----------------------------------------------------------------------------------------------------
def start_profiler(children: Children, target: Child, seconds: float, out_dir: Path | None) -> Child | None:
    """`py-spy record` of `target` for `seconds` into `out_dir/<name>.txt` (collapsed stacks), if asked and present."""
    if out_dir is None:
        return None
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        say("--profile: py-spy is not installed (pip install py-spy): no profile")
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{target.name}.txt"
    say(f"profiling {target.name} (pid {target.pid}) for {seconds:.0f} s into {out}")
    return children.start(
        f"py-spy-{target.name}",
        [
            py_spy,
            "record",
            "--pid",
            str(target.pid),
            "--duration",
            str(max(1, round(seconds))),
            "--subprocesses",  # a service's web workers
            "--gil",  # only samples holding the GIL: an idle event loop (uvloop in epoll) is not counted as busy
            "--rate",
            "200",
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(out),
        ],
    )


def top_frames(collapsed: Path, limit: int = 12) -> list[tuple[str, float]]:
    """The functions most often on top of the stack (self time) in a py-spy raw profile, as (frame, share)."""
    totals: dict[str, int] = {}
    all_samples = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frame = stack.rsplit(";", 1)[-1]
        totals[frame] = totals.get(frame, 0) + int(count)
        all_samples += int(count)
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:limit]
    return [(frame, round(n / max(1, all_samples), 3)) for frame, n in ranked]
