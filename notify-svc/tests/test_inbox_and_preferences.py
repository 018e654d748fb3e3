"""The client panel's inbox (each client sees only its own) and the client's preferences (item 5)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from abono.events import ClientUpdated

if TYPE_CHECKING:
    from conftest import EventFactory, Harness


async def test_n1_panel_inbox_lists_marks_read_and_hides_other_clients_messages(
    notify: Harness, events: EventFactory
) -> None:
    ana_id, ana = events.new_client()
    bob_id, bob = events.new_client(name="Bob")
    invoice = events.invoice_issued(ana_id)
    await notify.publish(ana, bob, invoice)
    await notify.wait_applied(ana, bob, invoice)
    async with notify.http() as http:
        assert (await http.get("/inbox")).status_code == 401
        inbox = (await http.get("/inbox", headers=notify.auth(ana_id))).json()
        assert inbox["unread"] == 2 and len(inbox["items"]) == 2
        newest = next(m for m in inbox["items"] if m["kind"] == "invoice_issued")
        assert "CLP 15.000" in newest["body_text"]
        assert newest["read_at"] is None
        # Bob can neither read nor mark Ana's message: it does not exist for him.
        for response in (await http.get(f"/inbox/{newest['id']}", headers=notify.auth(bob_id)),
                         await http.post(f"/inbox/{newest['id']}/read", headers=notify.auth(bob_id))):
            assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
        assert [m["kind"] for m in (await http.get("/inbox", headers=notify.auth(bob_id))).json()["items"]] == [
            "welcome"]
        read = await http.post(f"/inbox/{newest['id']}/read", headers=notify.auth(ana_id))
        assert read.status_code == 200 and read.json()["read_at"]
        again = await http.post(f"/inbox/{newest['id']}/read", headers=notify.auth(ana_id))
        assert again.json()["read_at"] == read.json()["read_at"]
        assert (await http.get("/inbox", headers=notify.auth(ana_id))).json()["unread"] == 1
        assert (await http.get(f"/inbox/{uuid.uuid4()}", headers=notify.auth(ana_id))).status_code == 404
        # Staff views are for staff.
        assert (await http.get(f"/staff/clients/{ana_id}/messages", headers=notify.auth(ana_id))).status_code == 403


async def test_preferences_language_and_whatsapp_opt_out_but_email_always(
    notify: Harness, events: EventFactory
) -> None:
    client_id, registered = events.new_client(phone="+54 9 11 5555 0101")
    await notify.publish(registered)
    await notify.wait_applied(registered)
    headers = notify.auth(client_id)
    async with notify.http() as http:
        assert (await http.get("/preferences/me", headers=headers)).json() == {
            "language": None, "whatsapp_opt_out": False, "marketing_opt_out": False, "updated_at": None}
        # Transactional e-mail has no switch: asking for one is refused.
        refused = await http.patch("/preferences/me", json={"email_opt_out": True}, headers=headers)
        assert refused.status_code == 422
        chosen = await http.patch("/preferences/me", json={"language": "en", "whatsapp_opt_out": True},
                                  headers=headers)
        assert chosen.status_code == 200
        assert chosen.json()["language"] == "en" and chosen.json()["whatsapp_opt_out"] is True
        assert (await http.patch("/preferences/me", json={"marketing_opt_out": True}, headers=headers)).json()[
            "whatsapp_opt_out"] is True

    invoice = events.invoice_issued(client_id)
    await notify.publish(invoice)
    email = await notify.wait_status(invoice.event_id, "email", "sent")
    # Opted out of WhatsApp: e-mail and panel only, in the language chosen here (the profile says Spanish).
    assert set(await notify.messages(invoice.event_id)) == {"email", "panel"}
    assert email["language"] == "en" and email["subject"].startswith("Invoice F-000123 issued")

    # Back to the profile's language, WhatsApp on again; a profile edit now reaches all three channels.
    async with notify.http() as http:
        await http.patch("/preferences/me", json={"language": None, "whatsapp_opt_out": False}, headers=headers)
    edited = ClientUpdated(client_id=client_id, profile=registered.profile, changed=["name", "phone"])
    await notify.publish(edited)
    await notify.wait_status(edited.event_id, "whatsapp", "sent")
    rows = await notify.messages(edited.event_id)
    assert set(rows) == {"email", "whatsapp", "panel"}
    assert rows["email"]["subject"] == "Sus datos fueron modificados"
    assert "nombre, teléfono" in rows["whatsapp"]["body_text"]
