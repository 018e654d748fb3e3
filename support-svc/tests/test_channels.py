"""S-1 other channels: e-mail to the support address over real SMTP (the service's own aiosmtpd server), a reply
by e-mail landing on its ticket, and a WhatsApp message (forwarded by notify as an event) opening one."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage

import aiosmtplib
import pytest
from support_testkit import PNG, Served, auth, make_settings, staff

from abono.events import WhatsAppMessageReceived
from abono.testing import serve
from support.app import create_app

SUPPORT = "soporte@alto.example.test"


@pytest.fixture(scope="module")
async def mail(support_db: str, served: Served) -> AsyncIterator[tuple[Served, int]]:
    """A replica with the mail server on (a free port), on the same database as `served`."""
    app = create_app(make_settings(support_db, run_scheduler=False, run_workers=False, mail_server_enabled=True,
                                   mail_port=0, support_address=SUPPORT))
    async with serve(app) as url:
        yield Served(app, url, support_db), app.state.mail_port


def mail_from(sender: str, subject: str, body: str, *, to: str = SUPPORT, attachment: bytes | None = None,
              name: str = "captura.png", message_id: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = f"Ana <{sender}>", to, subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@mail.example.test>"
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="octet-stream", filename=name)
    return message


async def send(port: int, message: EmailMessage) -> None:
    await aiosmtplib.send(message, hostname="127.0.0.1", port=port, timeout=10)


async def test_s1_an_email_to_the_support_address_opens_a_ticket_and_a_reply_lands_on_it(
        served: Served, mail: tuple[Served, int]) -> None:
    _, port = mail
    address = f"ana-{uuid.uuid4().hex[:8]}@example.test"
    client = await served.new_client(email=address)
    await send(port, mail_from(address.upper(), "Mi web no carga", "Desde hoy la web da error 500.",
                               attachment=PNG, name="error.dat"))
    async with served.http() as http:
        [ticket] = (await http.get("/tickets", headers=auth(client))).json()
        assert ticket["channel"] == "email" and ticket["subject"] == "Mi web no carga"
        assert ticket["first_response_due_at"]
        detail = (await http.get(f"/tickets/{ticket['id']}", headers=auth(client))).json()
        [first] = detail["messages"]
        assert first["body"] == "Desde hoy la web da error 500." and first["channel"] == "email"
        assert first["attachments"][0]["content_type"] == "image/png"  # by content, whatever the name said
        await http.post(f"/tickets/{ticket['id']}/messages", headers=staff(),
                        json={"message": "¿Qué dominio es?", "status": "waiting_on_client"})
        # The client answers our mail: the code in the subject, our text quoted below.
        reply = mail_from(address, f"Re: [#{ticket['code']}] Respuesta a su consulta: Mi web no carga",
                          "Es ana.com.ar\n\n> ¿Qué dominio es?")
        await send(port, reply)
        await send(port, reply)  # the sender's server delivered it twice: applied once
        # A reply to the plus address works as well.
        await send(port, mail_from(address, "otra cosa", "Y el correo tampoco anda.",
                                   to=f"soporte+{ticket['code'].lower()}@alto.example.test"))
        after = (await http.get(f"/tickets/{ticket['id']}", headers=auth(client))).json()
        assert [m["body"] for m in after["messages"]] == [
            "Desde hoy la web da error 500.", "¿Qué dominio es?", "Es ana.com.ar", "Y el correo tampoco anda."]
        assert after["status"] == "open" and after["resolution_due_at"]
        assert len((await http.get("/tickets", headers=auth(client))).json()) == 1


async def test_s1_mail_from_strangers_or_to_other_mailboxes_is_refused(served: Served,
                                                                         mail: tuple[Served, int]) -> None:
    _, port = mail
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await send(port, mail_from("nadie@example.test", "Hola", "¿Quién soy?"))
    assert refused.value.code == 550
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await send(port, mail_from("nadie@example.test", "Hola", "x", to="ventas@alto.example.test"))
    # Another client's code in the subject opens a ticket of the sender's own, never a reply on the other's.
    owner, intruder = f"o-{uuid.uuid4().hex[:8]}@example.test", f"i-{uuid.uuid4().hex[:8]}@example.test"
    owner_id, intruder_id = await served.new_client(email=owner), await served.new_client(email=intruder)
    theirs = await served.open_ticket(owner_id)
    await send(port, mail_from(intruder, f"Re: [#{theirs['code']}] algo", "Déjenme entrar"))
    async with served.http() as http:
        assert len((await http.get(f"/tickets/{theirs['id']}", headers=auth(owner_id))).json()["messages"]) == 1
        [own] = (await http.get("/tickets", headers=auth(intruder_id))).json()
        assert own["id"] != theirs["id"]


async def test_s1_a_whatsapp_message_from_a_known_number_opens_a_ticket(served: Served) -> None:
    client = await served.new_client(phone="+54 9 11 5555-0101")
    first = WhatsAppMessageReceived(wa_message_id=f"wamid.{uuid.uuid4().hex}", from_number="5491155550101",
                                    text="Hola, se cayó mi radio", received_at=datetime.now(UTC),
                                    profile_name="Ana")
    second = WhatsAppMessageReceived(wa_message_id=f"wamid.{uuid.uuid4().hex}", from_number="5491155550101",
                                     text="Sigue sin transmitir", received_at=datetime.now(UTC))
    stranger = WhatsAppMessageReceived(wa_message_id=f"wamid.{uuid.uuid4().hex}", from_number="5491100000000",
                                       text="hola", received_at=datetime.now(UTC))
    replay = WhatsAppMessageReceived(wa_message_id=first.wa_message_id, from_number="5491155550101",
                                     text="Hola, se cayó mi radio", received_at=datetime.now(UTC))
    for event in (first, second, stranger, replay):
        await served.publish(event)
        await served.wait_applied(event.event_id)
    async with served.http() as http:
        [ticket] = (await http.get("/tickets", headers=auth(client))).json()
        assert ticket["channel"] == "whatsapp" and ticket["subject"] == "WhatsApp: Hola, se cayó mi radio"
        detail = (await http.get(f"/tickets/{ticket['id']}", headers=auth(client))).json()
        assert [m["body"] for m in detail["messages"]] == ["Hola, se cayó mi radio", "Sigue sin transmitir"]
