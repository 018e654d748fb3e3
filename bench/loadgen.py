"""HTTP load generator, run as its own process: `python -m bench.loadgen --url ... --rate R --duration D ...`.

`open` (the default) is open loop: request i is due at t0 + i/R whatever happened to the earlier ones, and its
latency counts from that due time, so a slow server cannot hide its queue (no coordinated omission). Requests
share `--connections` keep-alive HTTP/1.1 connections (raw asyncio protocols, answers parsed by httptools); one that
finds them all busy waits for one, in order, and that wait counts. A request unanswered after `--timeout` seconds
fails (its connection is cut and reopened).
`closed` runs `--connections` loops back to back (max throughput; used when `wrk` is missing).
Loopback only; bounded by count and time. Writes one JSON object to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httptools

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Recorder:
    def __init__(self, measure_from: float) -> None:
        self.measure_from = measure_from
        self.latencies: list[float] = []  # seconds, from the due time (open) or the send (closed)
        self.ok = self.errors = self.dropped = 0
        self.statuses: dict[str, int] = {}
        self.last_done = 0.0

    def record(self, due: float, status: int | None, done: float) -> None:
        key = str(status) if status is not None else "error"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if due < self.measure_from:
            return
        self.latencies.append(done - due)
        self.last_done = max(self.last_done, done)
        if status == 200:
            self.ok += 1
        else:
            self.errors += 1

    def summary(self, window: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)

        def pct(q: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))] * 1000, 3)

        return {
            "ok": self.ok,
            "errors": self.errors,
            "dropped": self.dropped,
            "statuses": self.statuses,
            "rps": round(self.ok / window, 1) if window > 0 else 0.0,
            "window_s": round(window, 3),
            "p50_ms": pct(50),
            "p90_ms": pct(90),
            "p99_ms": pct(99),
            "p999_ms": pct(99.9),
            "max_ms": round(ordered[-1] * 1000, 3) if ordered else None,
        }


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time, its answer parsed by httptools (uvicorn's C
    parser). Issue 20: aiohttp's client cost ~0.3 ms of CPU a request, 0.4 of a core at 1,500 req/s on the machine
    whose 2 cores the measured services share; this costs a fraction of that (the README's `gateway` section)."""

    def __init__(self, pool: _Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.parser: httptools.HttpResponseParser | None = None
        self.sent_at = 0.0
        self.on_answer: Callable[[int | None], None] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.on_answer is None:
            self.pool.lost_idle(self)  # the server closed a kept-alive connection between requests
        self._finish(None)

    def data_received(self, data: bytes) -> None:
        if self.parser is None:
            return  # nothing asked: a stray byte is not an answer
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.abort()

    def on_message_complete(self) -> None:  # httptools' callback
        assert self.parser is not None
        self._finish(self.parser.get_status_code())

    def send(self, request: bytes, on_answer: Callable[[int | None], None]) -> None:
        assert self.transport is not None
        self.parser = httptools.HttpResponseParser(self)
        self.on_answer, self.sent_at = on_answer, time.perf_counter()
        self.transport.write(request)

    def abort(self) -> None:
        """Cut it (an unanswered request past its timeout, a broken answer): the request counts as failed."""
        if self.transport is not None:
            self.transport.abort()
        self.closed = True
        self._finish(None)

    def _finish(self, status: int | None) -> None:
        on_answer, self.on_answer, self.parser = self.on_answer, None, None
        if on_answer is not None:
            on_answer(status)
            self.pool.release(self)


class _Pool:
    """`size` connections to one server; a request takes an idle one (a closed one is reopened first)."""

    def __init__(self, url: str, headers: dict[str, str], size: int, timeout: float) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", "User-Agent: abono-bench-loadgen",
                 "Accept: */*", *(f"{k}: {v}" for k, v in headers.items())]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.size, self.timeout = size, timeout
        self.idle: list[_Connection] = []
        self.busy: set[_Connection] = set()
        self.queued: deque[Callable[[_Connection], None]] = deque()  # requests waiting for a connection
        self.reopening: set[asyncio.Task[None]] = set()  # held: the loop keeps only weak references to tasks

    async def open(self) -> None:
        for _ in range(self.size):
            self.idle.append(await self._connect())

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(lambda: _Connection(self), self.host, self.port)
        return connection

    def get(self, on_answer: Callable[[int | None], None]) -> None:
        """Send the request on an idle connection, or when one is free (in the order asked)."""
        def start(connection: _Connection) -> None:
            self.busy.add(connection)
            connection.send(self.request, on_answer)

        if self.idle:
            start(self.idle.pop())
        else:
            self.queued.append(start)

    def release(self, connection: _Connection) -> None:
        self.busy.discard(connection)
        if connection.closed:
            self._reopen_soon()
        elif self.queued:
            self.queued.popleft()(connection)
        else:
            self.idle.append(connection)

    def lost_idle(self, connection: _Connection) -> None:
        if connection in self.idle:
            self.idle.remove(connection)
            self._reopen_soon()

    def _reopen_soon(self) -> None:
        task = asyncio.get_running_loop().create_task(self._reopen())
        self.reopening.add(task)
        task.add_done_callback(self.reopening.discard)

    async def _reopen(self) -> None:
        while True:
            try:
                connection = await self._connect()
            except OSError:
                await asyncio.sleep(0.1)
                continue
            self.release(connection)
            return

    async def watch_timeouts(self) -> None:
        """Cut every connection whose request has waited `timeout` seconds for its answer."""
        while True:
            await asyncio.sleep(0.05)
            late = time.perf_counter() - self.timeout
            for connection in [c for c in self.busy if c.sent_at < late]:
                connection.abort()

    def close(self) -> None:
        for task in self.reopening:
            task.cancel()
        for connection in [*self.idle, *self.busy]:
            if connection.transport is not None:
                connection.transport.close()


async def _one(pool: _Pool) -> int | None:
    answered: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    def answer(status: int | None) -> None:
        if not answered.done():
            answered.set_result(status)

    pool.get(answer)
    return await answered


async def open_loop(pool: _Pool, args: argparse.Namespace) -> Recorder:
    count = int(args.rate * (args.warmup + args.duration))
    start = time.perf_counter() + 0.05
    recorder = Recorder(start + args.warmup)
    max_outstanding = args.connections * 50
    outstanding = 0
    all_answered = asyncio.Event()

    def answer_of(due: float) -> Callable[[int | None], None]:
        def answered(status: int | None) -> None:
            nonlocal outstanding
            outstanding -= 1
            recorder.record(due, status, time.perf_counter())
            if outstanding == 0 and sent_all:
                all_answered.set()
        return answered

    sent_all = False
    for i in range(count):
        due = start + i / args.rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if outstanding >= max_outstanding:  # hopelessly behind: count it as failed rather than pile up forever
            recorder.dropped += 1  # counted as failed; no latency (it was never sent)
            continue
        outstanding += 1
        pool.get(answer_of(due))
    sent_all = True
    if outstanding:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_answered.wait(), timeout=args.timeout + 1)
    return recorder


async def closed_loop(pool: _Pool, args: argparse.Namespace) -> Recorder:
    start = time.perf_counter()
    recorder = Recorder(start + args.warmup)
    end = start + args.warmup + args.duration
    running = args.connections
    all_done = asyncio.Event()

    def next_request() -> None:
        sent = time.perf_counter()

        def answered(status: int | None) -> None:
            nonlocal running
            done = time.perf_counter()
            recorder.record(sent, status, done)
            if done < end:
                next_request()
                return
            running -= 1
            if running == 0:
                all_done.set()

        pool.get(answered)

    for _ in range(args.connections):
        next_request()
    await all_done.wait()
    return recorder


async def run(args: argparse.Namespace, headers: dict[str, str]) -> dict[str, Any]:
    pool = _Pool(args.url, headers, args.connections, args.timeout)
    await pool.open()
    watchdog = asyncio.create_task(pool.watch_timeouts())
    try:
        # One request on every connection first: connection set-up is not what is measured.
        statuses = await asyncio.gather(*(_one(pool) for _ in range(args.connections)))
        if any(status != 200 for status in statuses):
            raise RuntimeError(f"warm-up requests answered {sorted({str(s) for s in statuses})}, not 200")
        cpu0 = time.process_time()
        recorder = await (open_loop if args.mode == "open" else closed_loop)(pool, args)
        cpu = time.process_time() - cpu0
    finally:
        watchdog.cancel()
        pool.close()
    loop_end = recorder.last_done
    window = args.duration if args.mode == "closed" else max(args.duration, loop_end - recorder.measure_from)
    return {
        **recorder.summary(window),
        "mode": args.mode,
        "offered_rps": args.rate if args.mode == "open" else None,
        "connections": args.connections,
        "loadgen_cpu_s": round(cpu, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadgen", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--token-file", help="file holding a bearer token for the Authorization header")
    parser.add_argument("--mode", choices=["open", "closed"], default="open")
    parser.add_argument("--rate", type=float, default=100.0, help="open: requests/s")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds (after the warm-up)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds run but not counted")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, and the final wait")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("loopback addresses only")
    if args.rate <= 0 or args.duration <= 0 or args.duration > 600 or args.connections < 1:
        parser.error("rate > 0, 0 < duration <= 600 and connections >= 1")
    headers = {"Authorization": f"Bearer {Path(args.token_file).read_text().strip()}"} if args.token_file else {}
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(run(args, headers))
    else:
        result = uvloop.run(run(args, headers))
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
