"""N-1..N-3 through the real broker, database and SMTP server: events in, messages out on every channel."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

import httpx

from abono.events import ServiceActivated, ServiceOrdered, ServiceSuspended, SiteMigrated, TicketReplied
from abono.testing import wait_for

if TYPE_CHECKING:
    from conftest import EventFactory, Harness

PHONE = "+56 9 8765 4321"
WA_NUMBER = "56987654321"


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


async def mails_to(notify: Harness, address: str, count: int = 1) -> list:  # type: ignore[type-arg]
    async def arrived() -> bool:
        return len(notify.mailbox.to(address)) >= count

    await wait_for(arrived, what=f"{count} mail(s) to {address}")
    return notify.mailbox.to(address)


async def test_n2_invoice_issued_reaches_email_whatsapp_and_panel_with_its_figures(
    notify: Harness, events: EventFactory
) -> None:
    client_id, registered = events.new_client(phone=PHONE)
    invoice = events.invoice_issued(client_id, amount_minor=1234567, currency="CLP")
    await notify.publish(registered, invoice)
    address = registered.profile.email

    email_row = await notify.wait_status(invoice.event_id, "email", "sent")
    mail = next(m for m in await mails_to(notify, address, 2) if "F-000123" in m["Subject"])
    # CLP has no decimals; Spanish thousands separator; due date in words (N-1, C-4).
    assert mail["Subject"] == "Factura F-000123 emitida: CLP 1.234.567, vence el 10 de enero de 2027"
    assert mail["From"] == "Alto Hosting <avisos@alto.example.test>"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Estimado/a Ana Pérez" in text and "Total: CLP 1.234.567" in text and "PAY-77X" in text
    assert "Hosting Plus (anual) - ejemplo.com.ar" in html
    # N-3: every link is rewritten to an unguessable tracking link; the real URL is not in the mail.
    invoice_url = f"https://panel.example.test/invoices/{invoice.invoice_id}"
    assert invoice_url not in text and invoice_url not in html
    tracked = [u for u in links_in(text) if "/t/c/" in u]
    assert tracked and all(len(u.rsplit("/", 1)[1]) >= 32 for u in tracked)
    pixel = re.search(r'<img src="([^"]+\.gif)"', html)
    assert pixel and pixel.group(1).startswith(notify.url + "/t/o/")

    async with httpx.AsyncClient(timeout=10) as http:
        redirects = [await http.get(u) for u in tracked]
        assert {r.status_code for r in redirects} == {302}
        assert invoice_url in [r.headers["location"] for r in redirects]
        invoice_link = tracked[[r.headers["location"] for r in redirects].index(invoice_url)]
        await http.get(invoice_link)
        for _ in range(2):
            opened = await http.get(pixel.group(1))
            assert opened.status_code == 200 and opened.headers["content-type"] == "image/gif"

    # WhatsApp: the fake Cloud API got the text message, in digits-only international format.
    wa_row = await notify.wait_status(invoice.event_id, "whatsapp", "sent")
    body = next(b for b in notify.whatsapp.to(WA_NUMBER) if "F-000123" in b["text"]["body"])
    assert body["messaging_product"] == "whatsapp" and body["type"] == "text"
    assert "CLP 1.234.567" in body["text"]["body"] and invoice_url in body["text"]["body"]
    assert wa_row["provider_message_id"].startswith("wamid.")

    # The panel inbox has it at once.
    async with notify.http() as http:
        inbox = (await http.get("/inbox", headers=notify.auth(client_id))).json()
        subjects = [m["subject"] for m in inbox["items"]]
        assert "Factura F-000123 emitida: CLP 1.234.567, vence el 10 de enero de 2027" in subjects
        # Staff see the proof: sent, opened twice, the invoice link clicked twice (counts, first and last times).
        proof = (await http.get(f"/staff/clients/{client_id}/messages", headers=notify.staff())).json()
    by_channel = {m["channel"]: m for m in proof if m["event_id"] == str(invoice.event_id)}
    assert set(by_channel) == {"email", "whatsapp", "panel"}
    sent = by_channel["email"]
    assert sent["status"] == "sent" and sent["sent_at"] and sent["address"] == address
    assert sent["open_count"] == 2 and sent["first_opened_at"] <= sent["last_opened_at"]
    clicks = {link["url"]: link for link in sent["links"]}
    assert clicks[invoice_url]["click_count"] == 2
    assert clicks[invoice_url]["first_clicked_at"] < clicks[invoice_url]["last_clicked_at"]
    assert email_row["attempts"] == 1


async def test_n1_english_client_gets_english_and_usd_with_cents(notify: Harness, events: EventFactory) -> None:
    client_id, registered = events.new_client(language="en", name="John Smith")
    invoice = events.invoice_issued(client_id, amount_minor=123456, currency="USD")
    await notify.publish(registered, invoice)
    await notify.wait_status(invoice.event_id, "email", "sent")
    mail = next(m for m in notify.mailbox.to(registered.profile.email) if "F-000123" in m["Subject"])
    assert mail["Subject"] == "Invoice F-000123 issued: US$ 1,234.56, due January 10, 2027"
    assert "Dear John Smith" in mail.get_body(preferencelist=("plain",)).get_content()
    # No phone: no WhatsApp message at all.
    assert set(await notify.messages(invoice.event_id)) == {"email", "panel"}


async def test_n2_service_messages_name_the_service_from_the_order(notify: Harness, events: EventFactory) -> None:
    client_id, registered = events.new_client()
    service_id = uuid.uuid4()
    ordered = ServiceOrdered(
        service_id=service_id, client_id=client_id, invoice_id=uuid.uuid4(), product_id=uuid.uuid4(),
        product_code="HOST-PLUS", product_name="Hosting Plus", kind="shared_hosting", cycle="annual",
        activation="automatic", driver="fake", domain="ejemplo.com.ar",
    )
    await notify.publish(registered, ordered)
    await notify.wait_applied(registered, ordered)
    suspended = ServiceSuspended(service_id=service_id, client_id=client_id, reason="B-4", invoice_id=uuid.uuid4())
    await notify.publish(suspended)
    await notify.wait_status(suspended.event_id, "email", "sent")
    mail = next(m for m in notify.mailbox.to(registered.profile.email) if "suspendido" in m["Subject"])
    assert mail["Subject"] == "Servicio suspendido: Hosting Plus (ejemplo.com.ar)"
    assert f"/invoices/{suspended.invoice_id}" in (await notify.messages(suspended.event_id))["panel"]["body_text"]


async def test_n2_activation_tells_the_client_where_the_access_data_are_in_es_and_en(
    notify: Harness, events: EventFactory
) -> None:
    """#19 item 4: a new client waits for activation; the message says where the access data are (the service's page
    in the panel) and never carries them."""
    for language, subject, where in [
        ("es", "Su servicio está listo: Hosting Plus (ejemplo.com.ar)", "Los datos de acceso"),
        ("en", "Your service is ready: Hosting Plus (ejemplo.com.ar)", "Its access data"),
    ]:
        client_id, registered = events.new_client(phone=PHONE, language=language)
        service_id = uuid.uuid4()
        ordered = ServiceOrdered(
            service_id=service_id, client_id=client_id, invoice_id=uuid.uuid4(), product_id=uuid.uuid4(),
            product_code="HOST-PLUS", product_name="Hosting Plus", kind="shared_hosting", cycle="annual",
            activation="automatic", driver="fake", domain="ejemplo.com.ar",
        )
        await notify.publish(registered, ordered)
        await notify.wait_applied(registered, ordered)
        activated = ServiceActivated(service_id=service_id, client_id=client_id, reason="order")
        await notify.publish(activated)
        await notify.wait_status(activated.event_id, "email", "sent")
        mail = next(m for m in notify.mailbox.to(registered.profile.email) if m["Subject"] == subject)
        text = mail.get_body(preferencelist=("plain",)).get_content()
        assert where in text and links_in(text)  # the link (tracked in e-mails, N-3) ...
        messages = await notify.messages(activated.event_id)
        assert f"/services/{service_id}" in messages["panel"]["body_text"]  # ... to the service's page
        assert set(messages) == {"email", "panel", "whatsapp"}


async def test_p8_the_client_is_told_when_staff_finished_migrating_its_site(
    notify: Harness, events: EventFactory
) -> None:
    client_id, registered = events.new_client(phone=PHONE)
    service_id = uuid.uuid4()
    await notify.publish(registered)
    await notify.wait_applied(registered)
    migrated = SiteMigrated(client_id=client_id, service_id=service_id, product_name="Hosting Plus",
                            domain="ejemplo.com.ar")
    await notify.publish(migrated)
    await notify.wait_status(migrated.event_id, "email", "sent")
    subject = "Terminamos de migrar ejemplo.com.ar"
    [mail] = [m for m in notify.mailbox.to(registered.profile.email) if m["Subject"] == subject]
    assert "Hosting Plus" in mail.get_body(preferencelist=("plain",)).get_content()
    messages = await notify.messages(migrated.event_id)
    assert f"/services/{service_id}" in messages["panel"]["body_text"]
    assert set(messages) == {"email", "panel", "whatsapp"}


async def test_n3_one_message_per_event_and_channel_whatever_the_redeliveries(
    notify: Harness, events: EventFactory
) -> None:
    client_id, registered = events.new_client(phone=PHONE)
    every = events.every_notifying_event(client_id, registered)
    await notify.publish(*every)
    await notify.wait_applied(*every)
    # Redeliver every event type twice: once as a plain duplicate (the inbox skips it), once after the inbox
    # forgot it (the (event, channel) key alone must hold).
    await notify.publish(*every)
    await notify.fetch("DELETE FROM inbox WHERE event_id = ANY($1::uuid[])", [e.event_id for e in every])
    await notify.publish(*every)
    await notify.wait_applied(*every)
    verification = every[1]

    for event in every:
        rows = await notify.fetch("SELECT channel FROM messages WHERE event_id = $1", event.event_id)
        channels = sorted(r["channel"] for r in rows)
        expected = ["email"] if event is verification else ["email", "panel", "whatsapp"]
        assert channels == expected, event.routing_key
    # And each e-mail left exactly once.
    for event in every:
        await notify.wait_status(event.event_id, "email", "sent")
    assert len(notify.mailbox.to(registered.profile.email)) == len(every)
    wa = notify.whatsapp.to(WA_NUMBER)
    assert len([b for b in wa if "F-000125" in b["text"]["body"]]) == 1


async def test_n2_an_event_before_the_registration_waits_for_the_contact_then_is_sent(
    notify: Harness, events: EventFactory
) -> None:
    client_id, registered = events.new_client()
    invoice = events.invoice_issued(client_id)
    await notify.publish(invoice)
    await notify.wait_applied(invoice)
    # Applied (acknowledged, never retried into the dead-letter queue), parked until notify knows the client.
    assert await notify.messages(invoice.event_id) == {}
    assert len(await notify.fetch("SELECT 1 FROM parked_events WHERE event_id = $1", invoice.event_id)) == 1
    await notify.publish(registered)
    await notify.wait_status(invoice.event_id, "email", "sent")
    assert set(await notify.messages(invoice.event_id)) == {"email", "panel"}
    assert await notify.fetch("SELECT 1 FROM parked_events WHERE client_id = $1", client_id) == []


async def test_s1_a_staff_reply_to_a_ticket_is_mailed_with_its_code_in_the_subject(
    notify: Harness, events: EventFactory
) -> None:
    client_id, registered = events.new_client()
    reply = TicketReplied(ticket_id=uuid.uuid4(), client_id=client_id, code="K7QM4XZP2A", subject="Sitio caído",
                          message_id=uuid.uuid4(), body="Reiniciamos el servidor; ya responde.", status="answered")
    await notify.publish(registered, reply)
    await notify.wait_status(reply.event_id, "email", "sent")
    [mail] = [m for m in await mails_to(notify, registered.profile.email, 2) if "K7QM4XZP2A" in m["Subject"]]
    assert mail["Subject"] == "[#K7QM4XZP2A] Respuesta a su consulta: Sitio caído"
    assert "Reiniciamos el servidor; ya responde." in mail.get_body(preferencelist=("plain",)).get_content()
    assert "panel" in (await notify.messages(reply.event_id))
