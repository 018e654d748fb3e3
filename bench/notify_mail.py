"""Scenario `notify_mail`: notify's e-mail transport against a local SMTP sink (issue 20 item 3: a million
`InvoiceIssued` become a million e-mails).

The sink is aiosmtpd in its own process (`python -m bench.notify_mail sink PORT FILE`: it accepts every mail and
writes how many distinct ones it got, and how many twice, to FILE). The bench process sends N rendered invoice
mails through notify's real `SmtpTransport`:
- with its pool (`NOTIFY_SMTP_CONNECTIONS` = 4 reused connections, no effective rate limit): the figure;
- one connection per mail (`aiosmtplib.send`, what notify did before: connect, EHLO, MAIL, RCPT, DATA, QUIT), 4 at
  once: the same-run baseline (A B A B, each way's better round of two);
- with the pool behind a token bucket of `RATE_LIMIT` a second (the sender's own limiter): the achieved rate must
  stay at or under the limit (diagnostic of the limit, not of speed).
Every mail must reach the sink exactly once in each phase.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP

from abono.events import Lane
from abono.testing import free_port
from bench.common import Children, Figure, ScenarioFailed, say
from bench.options import Options
from notify.config import NotifySettings
from notify.delivery.email import SmtpTransport
from notify.delivery.ratelimit import TokenBucket
from notify.messages.models import Message

NAME = "notify_mail"
CONNECTIONS = 4
RATE_LIMIT = 50.0  # a second, for the rate-limited phase (below what the pool does here, so that it binds)


@dataclass(frozen=True)
class Plan:
    mails: int
    limited: int  # mails of the rate-limited phase


QUICK = Plan(mails=800, limited=250)
FULL = Plan(mails=10_000, limited=1_000)


def _messages(count: int, phase: str) -> list[Message]:
    body = "Hola Ana,\n\nTu factura F-000123 por CLP 15.000 vence el 10 de enero de 2027.\n" * 4
    return [Message(id=uuid.uuid4(), client_id=uuid.uuid4(), kind="invoice_issued", language="es",
                    subject=f"Factura F-{n:06d}", body_text=body, body_html=f"<p>{body}</p>", lane=int(Lane.BULK),
                    address=f"{phase}-{n}@bench.example") for n in range(count)]


async def _pooled(transport: SmtpTransport, messages: list[Message],
                  bucket: TokenBucket | None) -> tuple[float, float]:
    """Wall and CPU seconds (of this process) to send `messages` on the pool."""
    queue: asyncio.Queue[Message] = asyncio.Queue()
    for message in messages:
        queue.put_nowait(message)

    async def worker() -> None:
        while not queue.empty():
            message = queue.get_nowait()
            if bucket is not None:
                await bucket.take(Lane.BULK)
            await transport.send(message)

    started, cpu = time.monotonic(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS * 2)))
    return time.monotonic() - started, time.process_time() - cpu


async def _per_mail(transport: SmtpTransport, messages: list[Message]) -> tuple[float, float]:
    s = transport.settings
    queue: asyncio.Queue[Message] = asyncio.Queue()
    for message in messages:
        queue.put_nowait(message)

    async def worker() -> None:
        while not queue.empty():
            await aiosmtplib.send(transport.build(queue.get_nowait()), hostname=s.smtp_host, port=s.smtp_port,
                                  timeout=s.smtp_timeout_seconds)

    started, cpu = time.monotonic(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return time.monotonic() - started, time.process_time() - cpu


def _read_counts(counts: Path) -> dict[str, int]:
    seen: dict[str, int] = json.loads(counts.read_text()) if counts.exists() else {"distinct": 0, "twice": 0}
    return seen


def _write_counts(counts: Path, distinct: int, twice: int) -> None:
    counts.with_suffix(".tmp").write_text(json.dumps({"distinct": distinct, "twice": twice}))
    counts.with_suffix(".tmp").replace(counts)


async def _received(counts: Path, expected: int, child: Any) -> dict[str, int]:
    deadline = time.monotonic() + 30
    while True:
        child.check_alive()
        seen = _read_counts(counts)
        if seen["distinct"] >= expected or time.monotonic() > deadline:
            return dict(seen)
        await asyncio.sleep(0.1)


async def run(opts: Options) -> list[Figure]:
    plan = QUICK if opts.quick else FULL
    port = free_port()
    counts = opts.log_dir / "notify_mail_sink.json"
    counts.unlink(missing_ok=True)
    async with Children(opts.log_dir) as children:
        sink = children.python("smtp-sink", ["-m", "bench.notify_mail", "sink", str(port), str(counts)])
        await _wait_listening(sink, port)
        settings = NotifySettings(smtp_host="127.0.0.1", smtp_port=port, smtp_connections=CONNECTIONS,
                                  mail_from="Abono <avisos@bench.example>")
        transport = SmtpTransport(settings)
        await _pooled(transport, _messages(50, "warmup"), None)
        expected = 50
        results: dict[str, float] = {}
        cpu_ms: dict[str, float] = {}  # the sending process's CPU per mail: steadier than wall time on a busy machine
        for phase in ("pool", "per_mail", "pool", "per_mail"):  # interleaved; each way's better round of two
            batch = _messages(plan.mails, phase)
            took, cpu = await (_pooled(transport, batch, None) if phase == "pool" else _per_mail(transport, batch))
            expected += len(batch)
            results[phase] = max(results.get(phase, 0.0), len(batch) / took)
            cpu_ms[phase] = min(cpu_ms.get(phase, float("inf")), round(1000 * cpu / len(batch), 3))
            say(f"{NAME}: {phase}: {len(batch)} mails in {took:.2f} s ({len(batch) / took:.0f}/s), "
                f"{1000 * cpu / len(batch):.2f} ms CPU a mail")
        limited = _messages(plan.limited, "limited")
        bucket = TokenBucket(RATE_LIMIT, burst=CONNECTIONS)
        took, _ = await _pooled(transport, limited, bucket)
        expected += len(limited)
        limited_rate = (len(limited) - CONNECTIONS) / took  # after the bucket's initial burst
        say(f"{NAME}: limited to {RATE_LIMIT:.0f}/s: {len(limited)} mails in {took:.2f} s ({limited_rate:.0f}/s)")
        opened = transport.pool.opened
        await transport.pool.close()
        seen = await _received(counts, expected, sink)
    exact = seen["distinct"] == expected and seen["twice"] == 0
    extra = {"mails": plan.mails, "connections_opened": opened, "sink": seen, "expected": expected,
             "sender_cpu_ms_per_mail": cpu_ms["pool"], "baseline_sender_cpu_ms_per_mail": cpu_ms["per_mail"]}
    if not exact:
        raise ScenarioFailed(f"{NAME}: the sink got {seen}, expected {expected} distinct mails once each")
    return [
        Figure(NAME, "emails_per_s_pooled_connections", results["pool"], "mails/s", results["per_mail"],
               note=f"{CONNECTIONS} reused SMTP connections vs one connection per mail ({CONNECTIONS} at once), "
                    "aiosmtpd sink in its own process", extra=extra),
        Figure(NAME, "emails_per_s_rate_limited", limited_rate, "mails/s", RATE_LIMIT, target=RATE_LIMIT * 1.02,
               goal="max",
               note=f"the pool behind a token bucket of {RATE_LIMIT:.0f}/s (after its burst of {CONNECTIONS})",
               extra={"mails": plan.limited}),
    ]


async def _wait_listening(child: Any, port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        child.check_alive()
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise ScenarioFailed(f"the SMTP sink is not listening on {port}") from None
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return


# --- the sink (a child process) -----------------------------------------------------------------------------------
class _Sink:
    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.twice = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.content
        start = content.find(b"X-Abono-Message: ")
        key = content[start:start + 60]
        if key in self.seen:
            self.twice += 1
        self.seen.add(key)
        return "250 Message accepted"


async def _sink(port: int, counts: Path) -> None:
    sink = _Sink()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(sink, hostname="bench-sink"),
                                                            "127.0.0.1", port)
    async with server:
        written = (-1, -1)
        while True:
            now = (len(sink.seen), sink.twice)
            if now != written:
                _write_counts(counts, *now)
                written = now
            await asyncio.sleep(0.1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("role", choices=["sink"])
    parser.add_argument("port", type=int)
    parser.add_argument("counts", type=Path)
    args = parser.parse_args(sys.argv[1:])
    asyncio.run(_sink(args.port, args.counts))
