"""The load process of the `renewal_day` scenario: `bench.reactivation_load`'s set-up and webhooks, in two phases.

    python -m bench.renewal_day_load <reactivation_load's options> --renewal-go FILE --renewal-out FILE
        --drain-duration S --drain-within S

1. Quiet bus: the first half of the services' webhooks at --rate for --duration s (the same figure as the
   `reactivation` scenario's).
2. Renewal day: touches --renewal-go (the waiting renewal child starts billing's real `issue_renewals`), waits for
   its first `InvoiceIssued` rows in billing's outbox, then sends the second half's webhooks at the same rate for
   --drain-duration s while billing's relay and provisioning's consumer drain the backlog.
3. Waits for the run's end (--renewal-out appears), then up to --drain-grace s until provisioning has recorded every
   issued invoice (its `provisioning.billing.bulk` queue drained), noting when billing's outbox was fully published
   and when provisioning caught up (or how many it had recorded when the wait ended).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from abono.events import InvoiceIssued, InvoicePaid, Lane
from bench.reactivation_load import Rig, measure, parser, run

RECORDED = "SELECT count(*) FROM issued_invoices"
# The catch-up's poll asks only whether the run's last invoices are recorded (primary-key lookups), and counts
# exactly once they are: counting ~1M rows in both databases every 50 ms took a core of PostgreSQL from the drain it
# measured (~0.5 s a poll in full mode).
LAST_ISSUED = "SELECT (payload->>'invoice_id')::uuid FROM outbox WHERE routing_key = $1 ORDER BY id DESC LIMIT $2"
RECORDED_OF = "SELECT count(*) FROM issued_invoices WHERE invoice_id = ANY($1::uuid[])"
LAST_CHECKED = 200
COUNT_EVERY_S = 1.0  # the exact counts at most this often, when the last invoices are there but others are not


async def _issued(rig: Rig) -> int:
    return int(await rig.bill.fetchval("SELECT count(*) FROM outbox WHERE routing_key = $1", InvoiceIssued.routing_key))


async def _pending_bulk(rig: Rig) -> int:
    sql = "SELECT count(*) FROM outbox WHERE lane = $1 AND published_at IS NULL"
    return int(await rig.bill.fetchval(sql, int(Lane.BULK)))


async def _backlog(rig: Rig) -> dict[str, int]:
    """Issued so far, still in billing's outbox, recorded by provisioning: the backlog is issued - recorded."""
    issued, pending = await _issued(rig), await _pending_bulk(rig)
    return {"issued": issued, "outbox_pending": pending, "recorded": await rig.prov.fetchval(RECORDED)}


# Where a drain-phase webhook's time goes, from what billing and provisioning wrote: its `InvoicePaid` row's
# `created_at` is the payment transaction's start, `published_at` the relay's mark after the broker's confirm;
# provisioning's inbox row's `processed_at` its consuming transaction's start.
PAID_ROWS = "SELECT payload->>'invoice_id' AS invoice, event_id, created_at, published_at FROM outbox " \
            "WHERE routing_key = $1 AND payload->>'invoice_id' = ANY($2::text[])"
CONSUMED = "SELECT event_id, processed_at FROM inbox WHERE event_id = ANY($1::uuid[])"
HOPS = ("sent → billing's transaction", "→ InvoicePaid confirmed by the broker", "→ provisioning's transaction",
        "→ active seen")


async def hops(rig: Rig, phase: dict[str, Any]) -> dict[str, list[float]]:
    """Each hop's milliseconds for the phase's webhooks (those with every instant recorded), by HOPS."""
    sent = {uuid.UUID(k): v for k, v in phase["sent_at"].items()}
    invoices = {str(rig.invoice_of[sid]): sid for sid in sent}
    paid = await rig.bill.fetch(PAID_ROWS, InvoicePaid.routing_key, list(invoices))
    consumed = {r["event_id"]: r["processed_at"] for r in await rig.prov.fetch(CONSUMED, [r["event_id"] for r in paid])}
    spans: dict[str, list[float]] = {hop: [] for hop in HOPS}
    for row in paid:
        sid = invoices[row["invoice"]]
        active, started = phase["active_at"].get(str(sid)), consumed.get(row["event_id"])
        if row["published_at"] is None or started is None or active is None:
            continue
        instants = [sent[sid], row["created_at"].timestamp(), row["published_at"].timestamp(), started.timestamp(),
                    active]
        for hop, (a, b) in zip(HOPS, itertools.pairwise(instants), strict=True):
            spans[hop].append((b - a) * 1000)
    return spans


async def _until(check: Any, within: float, what: str) -> float:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"renewal day: {what} after {within:.0f} s")
        await asyncio.sleep(0.05)
    return time.time()


async def phases(rig: Rig, services: list[uuid.UUID], count: int) -> dict[str, Any]:
    args = rig.args
    recorded_before = await rig.prov.fetchval(RECORDED)
    quiet = await measure(rig, services[:count], args.rate)
    print(f"quiet bus: {quiet['sent']} webhooks measured", file=sys.stderr, flush=True)

    # Only the renewal run's own subscriptions renew: the measured services' overdue renewals stay as they are.
    await rig.bill.execute("UPDATE subscriptions SET renew = false WHERE id = ANY($1::uuid[])", services)
    t_go = time.time()
    await asyncio.to_thread(Path(args.renewal_go).touch)

    async def started() -> bool:
        sql = "SELECT EXISTS (SELECT FROM outbox WHERE routing_key = $1)"
        return bool(await rig.bill.fetchval(sql, InvoiceIssued.routing_key))

    t_first_row = await _until(started, 120, "no InvoiceIssued row in billing's outbox")
    at_start = await _backlog(rig)
    drain_count = min(len(services) - count, int(args.rate * args.drain_duration))
    during = await measure(rig, services[count : count + drain_count], args.rate)
    at_end = await _backlog(rig)
    print(f"during the drain: {during['sent']} webhooks measured; backlog {at_start} → {at_end}", file=sys.stderr,
          flush=True)  # fmt: skip

    out = Path(args.renewal_out)

    async def run_done() -> bool:
        return await asyncio.to_thread(out.exists)

    t_run_done = await _until(run_done, args.drain_within, "the renewal run did not end")
    marks: dict[str, float] = {"counted": 0.0}
    issued = await _issued(rig)  # the run is over: no InvoiceIssued comes after it
    last = [r[0] for r in await rig.bill.fetch(LAST_ISSUED, InvoiceIssued.routing_key, LAST_CHECKED)]

    async def drained() -> bool:
        if "published" not in marks:
            if await _pending_bulk(rig):
                return False
            marks["published"] = time.time()
        if await rig.prov.fetchval(RECORDED_OF, last) < len(last) or time.time() - marks["counted"] < COUNT_EVERY_S:
            return False
        marks["counted"] = time.time()
        return bool(await rig.prov.fetchval(RECORDED) - recorded_before >= issued)

    # Bounded: if provisioning has not caught up by then, the rate of what it recorded is the figure.
    try:
        t_drained, complete = await _until(drained, args.drain_grace, "not caught up"), True
    except RuntimeError:
        t_drained, complete = time.time(), False
    recorded = await rig.prov.fetchval(RECORDED) - recorded_before
    renewal = json.loads(await asyncio.to_thread(out.read_text))
    return {
        "quiet": quiet,
        "during": during,
        "hops": await hops(rig, during),
        "backlog_at_start": at_start,
        "backlog_at_end": at_end,
        "issued": issued,
        "recorded": recorded,
        "complete": complete,
        "t_go": t_go,
        "t_first_row": t_first_row,
        "t_run_done": t_run_done,
        "t_published": marks.get("published"),
        "t_drained": t_drained,
        "renewal": renewal,
    }


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    cli.prog = "python -m bench.renewal_day_load"
    cli.add_argument("--renewal-go", required=True, help="touched to start the waiting renewal child")
    cli.add_argument("--renewal-out", required=True, help="the renewal child's result file (exists once done)")
    cli.add_argument("--drain-duration", type=float, required=True, help="seconds of webhooks during the drain")
    cli.add_argument("--drain-within", type=float, default=900.0, help="limit for the renewal run")
    cli.add_argument("--drain-grace", type=float, default=60.0, help="wait after the run for the backlog")
    args = cli.parse_args(argv)
    result = asyncio.run(run(args, phases))
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
