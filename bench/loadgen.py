"""HTTP load generator, run as its own process: `python -m bench.loadgen --url ... --rate R --duration D ...`.

`open` (the default) is open loop: request i is due at t0 + i/R whatever happened to the earlier ones, and its
latency counts from that due time, so a slow server cannot hide its queue (no coordinated omission). Requests
share `--connections` keep-alive connections; one that finds them all busy waits for one, and that wait counts.
`closed` runs `--connections` loops back to back (max throughput; used when `wrk` is missing).
Loopback only; bounded by count and time. Writes one JSON object to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

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


async def _get(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> int | None:
    try:
        async with session.get(url, headers=headers) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, TimeoutError):
        return None


async def open_loop(session: aiohttp.ClientSession, args: argparse.Namespace, headers: dict[str, str]) -> Recorder:
    count = int(args.rate * (args.warmup + args.duration))
    start = time.perf_counter() + 0.05
    recorder = Recorder(start + args.warmup)
    max_outstanding = args.connections * 50
    tasks: set[asyncio.Task[None]] = set()

    async def one(due: float) -> None:
        status = await _get(session, args.url, headers)
        recorder.record(due, status, time.perf_counter())

    for i in range(count):
        due = start + i / args.rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) >= max_outstanding:  # hopelessly behind: count it as failed rather than pile up forever
            recorder.dropped += 1  # counted as failed; no latency (it was never sent)
            continue
        task = asyncio.create_task(one(due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=args.timeout)
    return recorder


async def closed_loop(session: aiohttp.ClientSession, args: argparse.Namespace, headers: dict[str, str]) -> Recorder:
    start = time.perf_counter()
    recorder = Recorder(start + args.warmup)
    end = start + args.warmup + args.duration

    async def worker() -> None:
        while (sent := time.perf_counter()) < end:
            status = await _get(session, args.url, headers)
            recorder.record(sent, status, time.perf_counter())

    await asyncio.gather(*(worker() for _ in range(args.connections)))
    return recorder


async def run(args: argparse.Namespace, headers: dict[str, str]) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=args.connections, limit_per_host=args.connections)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # Open every connection first: connection set-up is not what is measured.
        statuses = await asyncio.gather(*(_get(session, args.url, headers) for _ in range(args.connections)))
        if any(status != 200 for status in statuses):
            raise RuntimeError(f"warm-up requests answered {sorted({str(s) for s in statuses})}, not 200")
        cpu0 = time.process_time()
        recorder = await (open_loop if args.mode == "open" else closed_loop)(session, args, headers)
        cpu = time.process_time() - cpu0
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
