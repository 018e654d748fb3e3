"""N-3 tracking endpoints: the pixel and links for unknown tokens, WhatsApp's webhook (handshake, signature,
statuses recorded once and only forward)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from notify.tracking.whatsapp_webhook import signature

if TYPE_CHECKING:
    from conftest import EventFactory, Harness

SECRET = "app-secret-for-tests"  # as configured in conftest


def status_payload(wamid: str, status: str, at: datetime, **extra: Any) -> bytes:
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1098765"},
             "statuses": [{"id": wamid, "status": status, "timestamp": str(int(at.timestamp())),
                           "recipient_id": "56911112222", **extra}]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}]}).encode()


def signed(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": signature(SECRET, body), "Content-Type": "application/json"}


async def test_n3_unknown_tracking_tokens_leak_nothing(notify: Harness) -> None:
    async with notify.http() as http:
        pixel = await http.get("/t/o/not-a-real-token.gif")
        assert pixel.status_code == 200 and pixel.headers["content-type"] == "image/gif"
        assert "no-store" in pixel.headers["cache-control"]
        click = await http.get("/t/c/not-a-real-token")
        assert click.status_code == 404 and click.headers["content-type"] == "application/problem+json"


async def test_n3_whatsapp_webhook_handshake(notify: Harness) -> None:
    async with notify.http() as http:
        ok = await http.get("/whatsapp/webhook", params={"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                                         "hub.challenge": "1158201444"})
        assert ok.status_code == 200 and ok.text == "1158201444"
        bad = await http.get("/whatsapp/webhook", params={"hub.mode": "subscribe", "hub.verify_token": "guess",
                                                          "hub.challenge": "1158201444"})
        assert bad.status_code == 403 and "1158201444" not in bad.text


async def test_n3_whatsapp_statuses_are_verified_recorded_once_and_only_move_forward(
    notify: Harness, events: EventFactory
) -> None:
    client_id, registered = events.new_client(phone="+56 9 1111 2222")
    invoice = events.invoice_issued(client_id)
    await notify.publish(registered, invoice)
    sent = await notify.wait_status(invoice.event_id, "whatsapp", "sent")
    wamid = sent["provider_message_id"]
    t0 = datetime.now(UTC).replace(microsecond=0)
    delivered, read = status_payload(wamid, "delivered", t0), status_payload(wamid, "read", t0)

    async with notify.http() as http:
        # Unsigned: 400; signed with another secret, or a body changed after signing: 401. Nothing recorded.
        assert (await http.post("/whatsapp/webhook", content=delivered)).status_code == 400
        forged = {"X-Hub-Signature-256": signature("not-the-secret", delivered)}
        assert (await http.post("/whatsapp/webhook", content=delivered, headers=forged)).status_code == 401
        tampered = status_payload(wamid, "read", t0)
        assert (await http.post("/whatsapp/webhook", content=tampered, headers=signed(delivered))).status_code == 401
        assert (await notify.messages(invoice.event_id))["whatsapp"]["status"] == "sent"

        first = await http.post("/whatsapp/webhook", content=delivered, headers=signed(delivered))
        assert first.status_code == 200 and first.json() == {"recorded": 1, "ignored": 0, "forwarded": 0}
        # Meta retries: a replay changes nothing.
        again = await http.post("/whatsapp/webhook", content=delivered, headers=signed(delivered))
        assert again.json() == {"recorded": 0, "ignored": 1, "forwarded": 0}
        assert (await http.post("/whatsapp/webhook", content=read, headers=signed(read))).json()["recorded"] == 1
        # A late "sent" never moves a read message back.
        late = status_payload(wamid, "sent", t0)
        await http.post("/whatsapp/webhook", content=late, headers=signed(late))
        unknown = status_payload("wamid.unknown", "delivered", t0)
        assert (await http.post("/whatsapp/webhook", content=unknown, headers=signed(unknown))).json() == {
            "recorded": 0, "ignored": 1, "forwarded": 0}
        proof = (await http.get(f"/staff/clients/{client_id}/messages", params={"channel": "whatsapp"},
                                headers=notify.staff())).json()
    message = next(m for m in proof if m["event_id"] == str(invoice.event_id))
    assert message["status"] == "read"
    assert message["delivered_at"] == message["read_at"] == t0.isoformat().replace("+00:00", "Z")
    assert [r["status"] for r in message["reports"]] == ["delivered", "read", "sent"]


def inbound_payload(wamid: str, sender: str, text: str, at: datetime) -> bytes:
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1098765"},
             "contacts": [{"profile": {"name": "Ana"}, "wa_id": sender}],
             "messages": [{"from": sender, "id": wamid, "timestamp": str(int(at.timestamp())), "type": "text",
                           "text": {"body": text}},
                          {"from": sender, "id": wamid + "-img", "timestamp": str(int(at.timestamp())),
                           "type": "image", "image": {"caption": "la pantalla", "id": "media-1"}}]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}]}).encode()


async def test_s1_whatsapp_messages_from_clients_are_verified_and_forwarded_to_support(notify: Harness) -> None:
    wamid = f"wamid.in-{datetime.now(UTC).timestamp()}"
    body = inbound_payload(wamid, "5491155550101", "Hola, se cayó mi radio", datetime.now(UTC))
    forwarded = "SELECT payload::text AS p FROM outbox WHERE routing_key = 'notify.whatsapp.message_received'"
    async with notify.http() as http:
        forged = await http.post("/whatsapp/webhook", content=body, headers=signed(body + b" "))
        assert forged.status_code == 401
        assert not [r for r in await notify.fetch(forwarded) if wamid in r["p"]]
        accepted = await http.post("/whatsapp/webhook", content=body, headers=signed(body))
        assert accepted.status_code == 200 and accepted.json()["forwarded"] == 2
    events = [json.loads(r["p"]) for r in await notify.fetch(forwarded) if wamid in r["p"]]
    assert [(e["from_number"], e["text"], e["profile_name"]) for e in events] == [
        ("5491155550101", "Hola, se cayó mi radio", "Ana"), ("5491155550101", "[image] la pantalla", "Ana")]
