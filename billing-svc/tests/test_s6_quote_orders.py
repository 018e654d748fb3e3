"""S-6: a quote accepted in support becomes, through the broker, one order invoice at the quoted prices, with its
catalog lines as pending services; a redelivered acceptance changes nothing."""

import uuid

import httpx
from billing_helpers import auth, new_client, outbox, sql

from abono.events import QuoteAccepted, QuoteLineInfo
from abono.money import MoneyModel
from abono.testing import publish_events, wait_for


def _usd(minor: int) -> MoneyModel:
    return MoneyModel(amount_minor=minor, currency="USD")


async def test_s6_an_accepted_quote_becomes_one_invoice_at_the_quoted_prices(billing: httpx.AsyncClient,
                                                                             billing_db: str) -> None:
    client_id = await new_client(billing_db)
    accepted = QuoteAccepted(
        quote_id=uuid.uuid4(), client_id=client_id, number=f"P-{uuid.uuid4().hex[:6]}", title="Tienda online",
        currency="USD", total=_usd(2 * 2500 + 40000), ticket_id=uuid.uuid4(), lines=[
            QuoteLineInfo(description="Hosting Plus", quantity=2, unit_price=_usd(2500), product_code="hosting-plus",
                          cycle="semiannual"),
            QuoteLineInfo(description="Diseño de la tienda", quantity=1, unit_price=_usd(40000)),
        ])
    await publish_events(accepted, until_routed=True)
    await publish_events(accepted)  # a redelivery, as the relay may publish twice
    query = "SELECT id, total_minor, kind, note FROM invoices WHERE client_id = $1"

    async def invoiced() -> bool:
        return bool(await sql(billing_db, query, client_id))

    await wait_for(invoiced, what="the quote's invoice")
    [invoice] = await sql(billing_db, query, client_id)
    assert invoice["total_minor"] == 45000 and invoice["kind"] == "order"
    assert accepted.number in str(invoice["note"])
    detail = (await billing.get(f"/invoices/{invoice['id']}", headers=auth(client_id))).json()
    assert [(line["quantity"], line["amount"]["amount_minor"]) for line in detail["lines"]] == [(2, 5000), (1, 40000)]
    ordered = await outbox(billing_db, "billing.service.ordered", invoice_id=str(invoice["id"]))
    assert [e["product_code"] for e in ordered] == ["hosting-plus", "hosting-plus"]
    services = (await billing.get("/services", headers=auth(client_id))).json()
    assert sorted(s["status"] for s in services) == ["pending", "pending"]
    assert len(await outbox(billing_db, "billing.invoice.issued", client_id=str(client_id))) == 1
    # The redelivery reached the consumer, was recognised by the inbox, and made nothing.
    labels = ('consumer="billing.quotes"', 'routing_key="support.quote.accepted"', 'outcome="duplicate"')

    async def duplicate_seen() -> bool:
        metrics = (await billing.get("/metrics")).text
        return any(line.startswith("abono_billing_events_consumed_total{") and all(lb in line for lb in labels)
                   and float(line.rsplit(" ", 1)[1]) >= 1 for line in metrics.splitlines())

    await wait_for(duplicate_seen, what="the redelivered acceptance")
    assert len(await sql(billing_db, query, client_id)) == 1
