"""#19 item 8: the AsyncAPI 3 document of every event on `abono.events` matches the code (drift test), is a valid
AsyncAPI 3.0.0 document (the specification's JSON Schema, vendored in tests/schemas), describes real messages, and is
served by the gateway at /asyncapi.json beside /openapi.json."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import jsonschema

from abono.events.base import registered_events
from abono.events.catalog import ClientProfile, ClientRegistered, ServiceActivated

if TYPE_CHECKING:
    from conftest import Platform

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "gateway" / "src" / "gateway" / "apidocs" / "asyncapi.json"
SPEC_SCHEMA = Path(__file__).parent / "schemas" / "asyncapi-3.0.0.json"  # asyncapi/spec-json-schemas, Apache-2.0
BIN = Path(sys.executable).parent


def test_the_document_matches_the_code() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "asyncapi.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr + "\nrun `make asyncapi` and commit the result"


def test_the_document_is_valid_asyncapi_3() -> None:
    result = subprocess.run(
        [BIN / "check-jsonschema", "--schemafile", SPEC_SCHEMA, DOCUMENT], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_event_is_a_channel_with_its_producer_and_consumers() -> None:
    document = json.loads(DOCUMENT.read_text())
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == set(registered_events())
    paid = document["channels"]["billing_invoice_paid"]
    assert paid["bindings"]["amqp"]["exchange"]["name"] == "abono.events"
    receivers = {
        op["title"].split(" ", 1)[0]
        for op in document["operations"].values()
        if op["action"] == "receive" and op["channel"]["$ref"] == "#/channels/billing_invoice_paid"
    }
    assert {"provisioning", "notify"} <= receivers
    senders = [op for op in document["operations"].values() if op["action"] == "send"]
    assert len(senders) == len(addresses)


def test_a_real_envelope_matches_its_payload_schema() -> None:
    document = json.loads(DOCUMENT.read_text())
    schemas = document["components"]["schemas"]
    profile = ClientProfile(email="ana@example.test", name="Ana")
    for event in (
        ClientRegistered(client_id=uuid.uuid4(), profile=profile),
        ServiceActivated(service_id=uuid.uuid4(), client_id=uuid.uuid4(), reason="order"),
    ):
        schema = {**schemas[type(event).__name__], "components": {"schemas": schemas}}
        envelope = event.envelope()
        jsonschema.validate(envelope, schema)
        wrong = {**envelope, "type": "billing.invoice.paid"}
        try:
            jsonschema.validate(wrong, schema)
        except jsonschema.ValidationError:
            pass
        else:
            raise AssertionError("a message of another type passed the schema")


async def test_the_gateway_serves_it_beside_openapi(platform: Platform) -> None:
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=10) as client:
        served = await client.get("/asyncapi.json")
        assert served.status_code == 200 and served.headers["content-type"].startswith("application/json")
        assert served.json() == json.loads(DOCUMENT.read_text())
        assert (await client.get("/openapi.json")).status_code == 200
