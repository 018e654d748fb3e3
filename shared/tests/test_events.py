"""The event catalog: routing keys follow `<service>.<entity>.<verb>`, envelopes round-trip."""

import json
import re
import uuid
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from abono.events import (
    ClientProfile,
    ClientRegistered,
    InvoiceIssued,
    InvoiceLineInfo,
    UnknownEvent,
    parse_event,
    parse_event_json,
    registered_events,
)
from abono.money import MoneyModel

REQUIRED = {
    "ClientRegistered", "ClientUpdated", "PasswordChanged", "InvoiceIssued", "InvoicePaid", "InvoiceCancelled",
    "ServiceSuspended", "ServiceReactivated", "ServiceTerminated", "UpgradeRequested",
}


def test_catalog_has_the_platform_events_with_well_formed_keys() -> None:
    # Only the library's own events: tests may register throwaway ones.
    catalog = {key: cls for key, cls in registered_events().items() if cls.__module__.startswith("abono.")}
    assert {cls.__name__ for cls in catalog.values()} >= REQUIRED
    for key in catalog:
        assert re.fullmatch(r"(gateway|billing|provisioning|notify|support|affiliate)\.[a-z_]+\.[a-z_]+", key), key


def test_envelope_round_trips() -> None:
    event = InvoiceIssued(
        invoice_id=uuid.uuid4(), client_id=uuid.uuid4(), number="A-0001", payment_reference="REF123",
        total=MoneyModel(amount_minor=1500, currency="CLP"), due_on=date(2027, 1, 10),
        lines=[InvoiceLineInfo(description="Hosting", amount=MoneyModel(amount_minor=1500, currency="CLP"))],
        occurred_at=datetime(2026, 12, 26, tzinfo=UTC),
    )
    body = event.envelope()
    assert body["type"] == "billing.invoice.issued" and body["version"] == 1
    assert parse_event("billing.invoice.issued", body) == event


def test_envelope_json_is_the_envelope_as_json_text() -> None:
    # What bulk writers of outbox rows send (billing's renewal run): the same keys and values as `envelope()`, with
    # text that is not ASCII, a None, a date, an aware instant with microseconds, nested models and a list.
    event = InvoiceIssued(
        invoice_id=uuid.uuid4(), client_id=uuid.uuid4(), number="F-00000001", payment_reference="ABC23",
        total=MoneyModel(amount_minor=123456, currency="ARS"), due_on=date(2031, 9, 1), kind="renewal",
        lines=[InvoiceLineInfo(description="Renovación Hosting · anual · 2031-09-01 → 2032-09-01",
                               amount=MoneyModel(amount_minor=123456, currency="ARS"), service_id=uuid.uuid4(),
                               cycle="annual"),
               InvoiceLineInfo(description="Dominio \"ñandú\"", amount=MoneyModel(amount_minor=0, currency="ARS"))],
        occurred_at=datetime(2031, 8, 18, 15, 4, 5, 123456, tzinfo=UTC),
    )
    assert json.loads(event.envelope_json()) == event.envelope()
    assert parse_event("billing.invoice.issued", json.loads(event.envelope_json())) == event
    # What consumers do with a delivery's body (issue 20): parsed and validated in one pass, the same event.
    assert parse_event_json("billing.invoice.issued", event.envelope_json().encode()) == event


def test_unknown_keys_and_bad_bodies_are_refused() -> None:
    with pytest.raises(UnknownEvent):
        parse_event("billing.nothing.happened", {})
    with pytest.raises(ValidationError):
        parse_event("gateway.client.registered", {"client_id": "not-a-uuid"})
    with pytest.raises(UnknownEvent):
        parse_event_json("billing.nothing.happened", b"{}")
    for body in (b"not json", b"[1, 2]", b'{"client_id": "not-a-uuid"}'):  # a consumer dead-letters these at once
        with pytest.raises(ValidationError):
            parse_event_json("gateway.client.registered", body)


def test_newer_producers_do_not_break_older_consumers() -> None:
    event = ClientRegistered(client_id=uuid.uuid4(), profile=ClientProfile(email="a@b.test", name="A"))
    body = event.envelope() | {"field_from_the_future": 1}
    assert parse_event(ClientRegistered.routing_key, body) == event
    assert parse_event_json(ClientRegistered.routing_key, json.dumps(body).encode()) == event
