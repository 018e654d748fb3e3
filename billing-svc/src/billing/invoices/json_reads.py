"""Client reads answered with JSON that PostgreSQL builds (issue 20, the gateway benchmark's "my invoices").

Building 24 `InvoicePublic` models (each with four `MoneyModel`s) and serialising them was a third of billing's CPU
per request; here the database returns the response body itself. The text must parse to exactly what
`list[InvoicePublic]` serialises to (same keys in the same order, money as `{"amount_minor", "currency"}`, instants
as pydantic writes them: UTC with `Z`, microseconds only when not zero): `tests/test_invoice_json.py` compares both
on a varied set of invoices, and the endpoint keeps `InvoicePublic` as its documented response model.

Each invoice is one `concat(...)` of constant JSON text and its columns, only the text columns escaped (`to_json`),
and the list one `string_agg`: `json_build_object`/`json_agg` classified the type of every value of every row again
(~200-250 us of the PostgreSQL backend's CPU for 24 invoices; this ~110-130 us, issue 20). Uuids, integers, currency
codes and the formatted dates need no escaping; a NULL instant or text is written `null` (concat would skip it).
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
    """A string constant written into the statement (JSON text and formats: no bind parameter to type)."""
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def _instant(column: ColumnElement[datetime]) -> ColumnElement[str]:
    """A `timestamptz` column as pydantic serialises an aware UTC datetime, as a JSON string (six digits of
    microseconds, none on a whole second), or `null`."""
    text = func.to_char(func.timezone(_constant("UTC"), column), _constant('YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                        type_=Text)
    quoted = _constant('"').op("||")(func.replace(text, _constant(".000000Z"), _constant("Z"), type_=Text))
    return case((column.is_(None), _constant("null")), else_=quoted.op("||")(_constant('"')))


def _string(column: ColumnElement[str]) -> ColumnElement[Any]:
    """A text column as a JSON string, escaped by PostgreSQL (`null` when NULL)."""
    return func.coalesce(func.to_json(column).cast(Text), _constant("null"), type_=Text)


def _money(column: ColumnElement[int]) -> list[str | ColumnElement[Any]]:
    # The currency unescaped: the model's `Money` takes only the ISO 4217 codes of `abono.money.CURRENCY_EXPONENTS`
    # (three capital letters), so an invoice whose currency would need escaping has no serialisation to match.
    return ['{"amount_minor":', column, ',"currency":"', _c.currency, '"}']


# Field by field, in `InvoicePublic`'s order: its JSON value as JSON text (str) and columns.
_INVOICE_PUBLIC: dict[str, list[str | ColumnElement[Any]]] = {
    "id": ['"', _c.id, '"'],
    "client_id": ['"', _c.client_id, '"'],
    "number": [_string(_c.number)],
    "payment_reference": [_string(_c.payment_reference)],
    "kind": [_string(_c.kind)],
    "status": [_string(_c.status)],
    "issued_at": [_instant(_c.issued_at)],
    "due_on": ['"', func.to_char(_c.due_on, _constant("YYYY-MM-DD"), type_=Text), '"'],
    "subtotal": _money(_c.subtotal_minor),
    "discount": _money(_c.discount_minor),
    "credit_applied": _money(_c.credit_applied_minor),
    "total_due": _money(_c.total_minor),
    "settled_at": [_instant(_c.settled_at)],
    "paid_method": [_string(_c.paid_method)],
    "cancelled_at": [_instant(_c.cancelled_at)],
    "cancel_reason": [_string(_c.cancel_reason)],
    "note": [_string(_c.note)],
}
INVOICE_PUBLIC_FIELDS = tuple(_INVOICE_PUBLIC)


def _object(fields: dict[str, list[str | ColumnElement[Any]]]) -> ColumnElement[str]:
    """`concat` of the fields' keys and values, adjacent JSON text written as one constant."""
    parts: list[str | ColumnElement[Any]] = []
    for index, (name, value) in enumerate(fields.items()):
        parts += [("{" if index == 0 else ",") + f'"{name}":', *value]
    parts.append("}")
    merged: list[ColumnElement[Any]] = []
    text = ""
    for part in parts:
        if isinstance(part, str):
            text += part
            continue
        if text:
            merged.append(_constant(text))
            text = ""
        merged.append(part)
    return func.concat(*merged, _constant(text), type_=Text)


_each = _object(_INVOICE_PUBLIC)
# One client's invoices, newest first (as `InvoiceRepository.for_client`), through `ix_invoices_client_id`.
CLIENT_INVOICES_JSON: Select[str] = select(
    # concat skips a NULL: no invoice (no row to aggregate) is `[]`
    func.concat(_constant("["), func.string_agg(_each, aggregate_order_by(_constant(","), _c.issued_at.desc(),
                                                                          _c.number)), _constant("]"), type_=Text)
).where(_c.client_id == bindparam("client_id"))
_CLIENT_INVOICES_SQL = compiled_sql(CLIENT_INVOICES_JSON)


async def client_invoices_json(conn: asyncpg.Connection, client_id: uuid.UUID) -> str:
    """The client's "my invoices" as the JSON array `list[InvoicePublic]` serialises to, in one statement sent
    straight to asyncpg (`abono.db.read_driver`)."""
    return str(await conn.fetchval(_CLIENT_INVOICES_SQL, client_id))
