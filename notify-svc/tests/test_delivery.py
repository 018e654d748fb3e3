"""The sender: retries with exponential back-off on the app's clock, then failed and shown to staff; SMTP with
STARTTLS and auth; WhatsApp template messages as the Cloud API documents them."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from abono.testing import free_port, wait_for
from notify.delivery.email import SmtpTransport
from notify.delivery.transport import PermanentFailure
from notify.delivery.whatsapp import WhatsAppTransport
from notify.messages.models import Message

if TYPE_CHECKING:
    from conftest import EventFactory, Harness, Mailbox

RETRY_BASE = 60.0  # as configured in conftest (send_retry_base_seconds), factor 2, 3 attempts


async def test_n3_email_deferred_by_the_server_is_retried_after_backoff(
    notify: Harness, events: EventFactory
) -> None:
    client_id, registered = events.new_client(email_address=f"defer-1-{uuid.uuid4().hex[:8]}@example.test")
    invoice = events.invoice_issued(client_id)
    await notify.publish(registered, invoice)

    async def first_try_failed() -> Any:
        row = (await notify.messages(invoice.event_id)).get("email")
        return row is not None and row["attempts"] == 1 and row["status"] == "pending"

    await wait_for(first_try_failed, what="the first, deferred attempt")
    row = (await notify.messages(invoice.event_id))["email"]
    assert "451" in row["last_error"]
    wait = (row["next_attempt_at"] - notify.clock.now()).total_seconds()
    assert RETRY_BASE - 5 < wait <= RETRY_BASE
    # Not before its time...
    notify.advance(RETRY_BASE / 2)
    assert (await notify.messages(invoice.event_id))["email"]["attempts"] == 1
    # ...and sent once it is due.
    notify.advance(RETRY_BASE / 2 + 1)
    sent = await notify.wait_status(invoice.event_id, "email", "sent")
    assert sent["attempts"] == 2 and sent["last_error"] is None
    assert len([m for m in notify.mailbox.to(registered.profile.email) if "F-000123" in m["Subject"]]) == 1


async def test_n3_email_refused_fails_at_once_and_staff_see_it_and_can_resend(
    notify: Harness, events: EventFactory
) -> None:
    client_id, registered = events.new_client(email_address=f"refuse-{uuid.uuid4().hex[:8]}@example.test")
    invoice = events.invoice_issued(client_id)
    await notify.publish(registered, invoice)
    failed = await notify.wait_status(invoice.event_id, "email", "failed")
    assert failed["attempts"] == 1 and "550" in failed["last_error"] and failed["failed_at"]

    async with notify.http() as http:
        listed = (await http.get("/staff/messages", params={"status": "failed"}, headers=notify.staff())).json()
        assert str(failed["id"]) in [m["id"] for m in listed]
        # A client may not look at staff views.
        assert (await http.get("/staff/messages", headers=notify.auth(client_id))).status_code == 403
        # Staff send it again: back to the sender with fresh attempts (it fails again: the mailbox is gone).
        panel_id = (await notify.messages(invoice.event_id))["panel"]["id"]
        assert (await http.post(f"/staff/messages/{panel_id}/retry", headers=notify.staff())).status_code == 409
        again = await http.post(f"/staff/messages/{failed['id']}/retry", headers=notify.staff())
        assert again.status_code == 200 and again.json()["status"] == "pending" and again.json()["attempts"] == 0
    refailed = await notify.wait_status(invoice.event_id, "email", "failed")
    assert refailed["attempts"] == 1 and refailed["failed_at"] >= failed["failed_at"]


async def test_n3_whatsapp_failures_back_off_exponentially_then_fail(notify: Harness, events: EventFactory) -> None:
    number = "549" + str(uuid.uuid4().int)[:10]
    notify.whatsapp.script[number] = [503] * 10  # the welcome message goes to this number too
    client_id, registered = events.new_client(phone="+" + number)
    invoice = events.invoice_issued(client_id)
    await notify.publish(registered, invoice)
    await notify.wait_status(invoice.event_id, "email", "sent")
    waits = []
    for attempt in (1, 2):
        async def tried(n: int = attempt) -> bool:
            row = (await notify.messages(invoice.event_id))["whatsapp"]
            return bool(row["attempts"] == n and row["status"] == "pending")

        await wait_for(tried, what=f"WhatsApp attempt {attempt}")
        row = (await notify.messages(invoice.event_id))["whatsapp"]
        waits.append((row["next_attempt_at"] - notify.clock.now()).total_seconds())
        notify.advance(waits[-1] + 1)
    # base, then base * factor: exponential.
    assert RETRY_BASE - 5 < waits[0] <= RETRY_BASE and 2 * RETRY_BASE - 5 < waits[1] <= 2 * RETRY_BASE
    failed = await notify.wait_status(invoice.event_id, "whatsapp", "failed")
    assert failed["attempts"] == 3 and "503" in failed["last_error"]
    async with notify.http() as http:
        proof = (await http.get(f"/staff/clients/{client_id}/messages", params={"channel": "whatsapp"},
                                headers=notify.staff())).json()
    assert {m["status"] for m in proof if m["event_id"] == str(invoice.event_id)} == {"failed"}


# --- transports on their own --------------------------------------------------------------------------------------
def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "smtp.pem", tmp / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _message(**values: Any) -> Message:
    base: dict[str, Any] = {"id": uuid.uuid4(), "client_id": uuid.uuid4(), "kind": "invoice_issued",
                            "language": "es", "subject": "Factura", "body_text": "Hola", "body_html": "<p>Hola</p>"}
    return Message(**(base | values))


async def test_n1_smtp_with_starttls_and_auth(notify: Harness, mailbox: Mailbox, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[str] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mailer", b"s3cret")
        if ok:
            logins.append(data.login.decode())
        return AuthResult(success=ok)

    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            auth_required=True, authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        base = notify.settings.model_copy(update={"smtp_port": port, "smtp_starttls": True, "smtp_ca_file": cert,
                                                  "smtp_username": "mailer"})
        secure = SmtpTransport(base.model_copy(update={"smtp_password": _secret("s3cret")}))
        address = f"tls-{uuid.uuid4().hex[:8]}@example.test"
        message_id = await secure.send(_message(address=address, subject="Por TLS"))
        assert logins == ["mailer"] and message_id.endswith("@alto.example.test>")
        assert [m["Subject"] for m in mailbox.to(address)] == ["Por TLS"]
        # Without STARTTLS the server refuses to go on: a failure the sender retries (configuration, not mail).
        plain = SmtpTransport(base.model_copy(update={"smtp_starttls": False, "smtp_password": _secret("s3cret")}))
        with pytest.raises(Exception) as refused:
            await plain.send(_message(address=address))
        assert not isinstance(refused.value, PermanentFailure)
    finally:
        controller.stop()


def _secret(value: str) -> SecretStr:
    return SecretStr(value)


async def test_n1_whatsapp_template_message_as_the_cloud_api_documents_it(notify: Harness) -> None:
    settings = notify.settings.model_copy(update={"whatsapp_message_mode": "template"})
    number = "549" + str(uuid.uuid4().int)[:10]
    async with httpx.AsyncClient() as http:
        transport = WhatsAppTransport(settings, http)
        wamid = await transport.send(_message(
            channel="whatsapp", address=f"+{number[:2]} {number[2:]}", language="es",
            template_params=["Ana", "F-1", "CLP 15.000", "10 de enero de 2027", "https://panel/invoices/1"],
        ))
        assert wamid.startswith("wamid.")
        notify.whatsapp.script[number] = [400]
        with pytest.raises(PermanentFailure, match="400"):
            await transport.send(_message(channel="whatsapp", address=number, template_params=[]))
    request = next(r for r in notify.whatsapp.requests if r["body"]["to"] == number)
    assert request["path"] == "/v21.0/1098765/messages" and request["auth"] == "Bearer wa-test-token"
    assert request["body"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": number, "type": "template",
        "template": {"name": "abono_invoice_issued", "language": {"code": "es"}, "components": [
            {"type": "body", "parameters": [
                {"type": "text", "text": "Ana"}, {"type": "text", "text": "F-1"},
                {"type": "text", "text": "CLP 15.000"}, {"type": "text", "text": "10 de enero de 2027"},
                {"type": "text", "text": "https://panel/invoices/1"},
            ]},
        ]},
    }
