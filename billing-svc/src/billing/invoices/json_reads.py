"""Client reads answered with JSON that PostgreSQL builds (issue 20, the gateway benchmark's "my invoices").

Building 24 `InvoicePublic` models (each with four `MoneyModel`s) and serialising them was a third of billing's CPU
per request; here the database returns the response body itself. The text must stay exactly what
`list[InvoicePublic]` serialises to (same keys in the same order, money as `{"amount_minor", "currency"}`, instants
as pydantic writes them: UTC with `Z`, microseconds only when not zero): `tests/test_invoice_json.py` compares both
on a varied set of invoices, and the endpoint keeps `InvoicePublic` as its documented response model.
"""

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import ColumnElement, Select, Text, bindparam, case, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from abono.db import compiled_sql
from billing.invoices.models import Invoice

_c = Invoice.__table__.c


def _constant(value: str) -> ColumnElement[str]:
    """A string constant written into the statement (keys and formats: no bind parameter to type)."""
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def _instant(column: ColumnElement[datetime]) -> ColumnElement[str]:
    """A `timestamptz` column as pydantic serialises an aware UTC datetime (NULL stays NULL)."""
    utc = func.timezone(_constant("UTC"), column)
    fraction = case((func.date_trunc(_constant("second"), utc) == utc, _constant("")),
                    else_=func.to_char(utc, _constant(".US"), type_=Text))
    return func.to_char(utc, _constant('YYYY-MM-DD"T"HH24:MI:SS'), type_=Text) + fraction + _constant("Z")


def _money(column: ColumnElement[int]) -> ColumnElement[Any]:
    return func.json_build_object(_constant("amount_minor"), column, _constant("currency"), _c.currency)


# Field by field, in `InvoicePublic`'s order.
_INVOICE_PUBLIC: dict[str, ColumnElement[Any]] = {
    "id": _c.id,
    "client_id": _c.client_id,
    "number": _c.number,
    "payment_reference": _c.payment_reference,
    "kind": _c.kind,
    "status": _c.status,
    "issued_at": _instant(_c.issued_at),
    "due_on": func.to_char(_c.due_on, _constant("YYYY-MM-DD"), type_=Text),
    "subtotal": _money(_c.subtotal_minor),
    "discount": _money(_c.discount_minor),
    "credit_applied": _money(_c.credit_applied_minor),
    "total_due": _money(_c.total_minor),
    "settled_at": _instant(_c.settled_at),
    "paid_method": _c.paid_method,
    "cancelled_at": _instant(_c.cancelled_at),
    "cancel_reason": _c.cancel_reason,
    "note": _c.note,
}
INVOICE_PUBLIC_FIELDS = tuple(_INVOICE_PUBLIC)

_each = func.json_build_object(*(part for name, value in _INVOICE_PUBLIC.items() for part in (_constant(name), value)))
# One client's invoices, newest first (as `InvoiceRepository.for_client`), through `ix_invoices_client_id`.
CLIENT_INVOICES_JSON: Select[str] = select(
    func.coalesce(func.json_agg(aggregate_order_by(_each, _c.issued_at.desc(), _c.number)), _constant("[]"),
                  type_=Text).cast(Text)
).where(_c.client_id == bindparam("client_id"))
_CLIENT_INVOICES_SQL = compiled_sql(CLIENT_INVOICES_JSON)


async def client_invoices_json(conn: asyncpg.Connection, client_id: uuid.UUID) -> str:
    """The client's "my invoices" as the JSON array `list[InvoicePublic]` serialises to, in one statement sent
    straight to asyncpg (`abono.db.ReadDriverDep`)."""
    return str(await conn.fetchval(_CLIENT_INVOICES_SQL, client_id))
