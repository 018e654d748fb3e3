"""Issue 20: "my invoices" is answered with JSON PostgreSQL builds (billing.invoices.json_reads). It must be exactly
what `list[InvoicePublic]` serialises to, the documented response model, for any invoice: discounts, credit,
paid/unpaid/cancelled/refunded/waived, currencies with and without minor units, instants with and without
microseconds, text that needs escaping, amounts beyond a double's precision; and only the caller's invoices."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
from billing_helpers import auth, db_session, new_client
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.money import CURRENCY_EXPONENTS
from billing.invoices.json_reads import INVOICE_PUBLIC_FIELDS
from billing.invoices.models import Invoice
from billing.invoices.repository import InvoiceRepository
from billing.invoices.schemas import InvoicePublic

_AS_MODEL = TypeAdapter(list[InvoicePublic])
_T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _invoice(client_id: uuid.UUID, n: int, **fields: object) -> Invoice:
    base: dict[str, object] = {
        "id": uuid.uuid4(), "number": f"T-{uuid.uuid4().hex[:12]}-{n:02d}",
        "payment_reference": uuid.uuid4().hex[:16].upper(), "client_id": client_id, "currency": "USD",
        "kind": "renewal", "status": "unpaid", "issued_at": _T0 - timedelta(days=n), "due_on": date(2026, 3, 10),
        "subtotal_minor": 2400, "discount_minor": 0, "credit_applied_minor": 0, "total_minor": 2400,
        "payment_method": "card", "note": "", "settled_at": None, "paid_method": None, "cancelled_at": None,
        "cancel_reason": None,
    }
    return Invoice(**(base | fields))


def _varied(client_id: uuid.UUID) -> list[Invoice]:
    settled = _T0 + timedelta(days=2, microseconds=123456)
    return [
        # paid with a discount and credit used, settled at an instant with microseconds
        _invoice(client_id, 1, kind="order", status="paid", subtotal_minor=10000, discount_minor=1500,
                 credit_applied_minor=2500, total_minor=6000, settled_at=settled, paid_method="stripe"),
        # CLP has no minor unit; an instant on a whole second
        _invoice(client_id, 2, currency="CLP", subtotal_minor=19990, total_minor=19990,
                 issued_at=datetime(2026, 2, 1, 0, 0, 0, tzinfo=UTC), due_on=date(2026, 2, 11)),
        # cancelled, with text that needs escaping in JSON
        _invoice(client_id, 3, currency="ARS", status="cancelled", subtotal_minor=1_500_000, total_minor=1_500_000,
                 cancelled_at=_T0 + timedelta(microseconds=500000), note='Nota "citada" \\ con\nsalto\t\x01 ñandú ✓ 😀',
                 cancel_reason="Pedido duplicado </script> & 'comillas'"),
        # refunded, paid wholly by credit (nothing left to pay)
        _invoice(client_id, 4, kind="upgrade", status="refunded", subtotal_minor=3000, credit_applied_minor=3000,
                 total_minor=0, settled_at=_T0 + timedelta(microseconds=1), paid_method="credit"),
        # waived (B-18), a 100 % discount
        _invoice(client_id, 5, status="waived", subtotal_minor=5000, discount_minor=5000, total_minor=0,
                 settled_at=_T0, paid_method=None, note="Pago con tiempo"),
        # amounts beyond 2**53 (a double would round them), another currency
        _invoice(client_id, 6, currency="UYU", subtotal_minor=2**53 + 1, total_minor=2**53 + 1),
        # two invoices issued at the same instant: ordered by number
        _invoice(client_id, 7, currency="PEN", issued_at=_T0 - timedelta(days=30), number="T-same-b"),
        _invoice(client_id, 8, currency="PEN", issued_at=_T0 - timedelta(days=30), number="T-same-a"),
    ]


async def test_my_invoices_json_is_exactly_the_models_serialisation(
        billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    ana, other = await new_client(billing_db), await new_client(billing_db)
    async with db_session(billing_db) as session:
        session.add_all([*_varied(ana), _invoice(other, 1)])

    response = await billing.get("/invoices", headers=auth(ana))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    async with sessionmaker() as session:
        invoices = await InvoiceRepository(session).for_client(ana)
    expected = json.loads(_AS_MODEL.dump_json([InvoicePublic.of(invoice) for invoice in invoices]))
    body = response.json()
    assert len(body) == 8 and body == expected  # same values, same strings (instants, ids), same order
    assert [list(item) for item in body] == [list(InvoicePublic.model_fields)] * 8  # same keys in the same order
    assert list(INVOICE_PUBLIC_FIELDS) == list(InvoicePublic.model_fields)
    assert {item["client_id"] for item in body} == {str(ana)}  # never another client's
    assert [item["number"] for item in body][-2:] == ["T-same-a", "T-same-b"]
    clp = next(item for item in body if item["total_due"]["currency"] == "CLP")
    assert body[0]["settled_at"] == "2026-03-03T12:00:00.123456Z" and clp["issued_at"] == "2026-02-01T00:00:00Z"


def test_the_currencies_written_unescaped_need_no_escaping() -> None:
    # json_reads writes the currency code into the JSON as it is: every code `Money` takes must be plain letters.
    assert all(len(code) == 3 and code.isascii() and code.isupper() for code in CURRENCY_EXPONENTS)


async def test_my_invoices_json_is_an_empty_list_for_a_client_without_invoices(
        billing: httpx.AsyncClient, billing_db: str) -> None:
    response = await billing.get("/invoices", headers=auth(await new_client(billing_db)))
    assert response.status_code == 200 and response.json() == []
    assert response.headers["content-type"] == "application/json"
