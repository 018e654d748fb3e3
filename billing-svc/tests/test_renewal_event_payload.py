"""The `InvoiceIssued` rows the set-based renewal run writes (B-2, B-16) are the envelope `emit` would write for the
same invoice, field by field (issue 12: they are built by the same `invoice_issued`; issue 20: the chunk's statement
writes them from `Event.envelope_json`), and they wake the relays like `emit` does."""

import asyncio
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from billing_helpers import sql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from test_b2_renewal_run import SETTINGS, subscribe

from abono.clock import FixedClock
from abono.db import asyncpg_dsn
from abono.events import InvoiceIssued, InvoiceLineInfo, parse_event
from abono.messaging.tables import OUTBOX_CHANNEL
from abono.money import MoneyModel
from billing.renewals.jobs import issue_renewals

# An instant with microseconds, so the written `occurred_at` is compared in full (horizon: 2 Sep 2031).
NOW = datetime(2031, 8, 18, 15, 4, 5, 123456, tzinfo=UTC)


def expected_event(payload: dict[str, Any], invoice: dict[str, Any], lines: list[dict[str, Any]]) -> InvoiceIssued:
    """What the per-invoice path (`issue_invoice`) emits for this invoice and its lines as stored."""
    currency = invoice["currency"]
    return InvoiceIssued(
        event_id=uuid.UUID(payload["event_id"]), occurred_at=NOW, invoice_id=invoice["id"],
        client_id=invoice["client_id"], number=invoice["number"], payment_reference=invoice["payment_reference"],
        total=MoneyModel(amount_minor=invoice["total_minor"], currency=currency), due_on=invoice["due_on"],
        lines=[InvoiceLineInfo(description=line["description"],
                               amount=MoneyModel(amount_minor=line["amount_minor"], currency=currency),
                               service_id=line["service_ids"][0], cycle=line["cycle"]) for line in lines],
        kind="renewal")


async def test_b2_b16_sql_built_invoice_issued_equals_the_event_envelope_field_by_field(
        billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    usd, ars = uuid.uuid4(), uuid.uuid4()
    # Two lines on one invoice, a zelle discount (B-12) and an annual one (cycle discount), in two currencies.
    await subscribe(billing_db, usd, "vps-1", "monthly", date(2031, 8, 25), method="zelle")
    await subscribe(billing_db, usd, "vps-2", "monthly", date(2031, 8, 25))
    await subscribe(billing_db, ars, "hosting-basic", "annual", date(2031, 9, 1), currency="ARS")

    await issue_renewals(sessionmaker=sessionmaker, clock=FixedClock(NOW), settings=SETTINGS)

    invoices = await sql(billing_db, "SELECT * FROM invoices WHERE client_id = ANY($1::uuid[]) ORDER BY currency DESC",
                         [usd, ars])
    assert [(i["currency"], i["kind"]) for i in invoices] == [("USD", "renewal"), ("ARS", "renewal")]
    for invoice in invoices:
        lines = await sql(billing_db, "SELECT * FROM invoice_lines WHERE invoice_id = $1 ORDER BY position",
                          invoice["id"])
        rows = await sql(billing_db, "SELECT event_id, routing_key, payload::text AS payload FROM outbox "
                                     "WHERE payload->>'invoice_id' = $1", str(invoice["id"]))
        assert len(rows) == 1 and len(lines) == (2 if invoice["currency"] == "USD" else 1)
        payload = json.loads(rows[0]["payload"])
        event = expected_event(payload, invoice, lines)
        envelope = event.envelope()
        assert sorted(payload) == sorted(envelope)
        for field in envelope:
            assert payload[field] == envelope[field], field
        assert payload == envelope
        assert rows[0]["routing_key"] == InvoiceIssued.routing_key
        assert rows[0]["event_id"] == event.event_id
        assert parse_event(rows[0]["routing_key"], payload) == event


async def test_b2_set_based_run_wakes_other_processes_relays_with_notify_at_commit(
        billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    client_id = uuid.uuid4()
    await subscribe(billing_db, client_id, "vps-1", "monthly", date(2031, 8, 26))
    woken: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(asyncpg_dsn(billing_db))
    try:
        await listener.add_listener(OUTBOX_CHANNEL, lambda *args: woken.put_nowait(args[2]))
        assert await issue_renewals(sessionmaker=sessionmaker, clock=FixedClock(NOW), settings=SETTINGS) == 1
        assert await asyncio.wait_for(woken.get(), timeout=10) == OUTBOX_CHANNEL
    finally:
        await listener.close()
