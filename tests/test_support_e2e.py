"""Issue 16 end to end through the gateway: a client opens a ticket in Spanish, staff answer from the console's
API, the client is mailed the answer (code in the subject) and sees it with its deadline; staff send a quote, the
client accepts it, and billing issues its invoice from the acceptance (S-1, S-3, S-6)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

from abono.testing import wait_for

if TYPE_CHECKING:
    from conftest import MailSink, Platform

PASSWORD = "una-clave-bien-larga"


async def test_s1_s6_a_ticket_answered_by_staff_then_a_quote_accepted_becomes_an_invoice(
    gateway: httpx.AsyncClient, platform: Platform, mail_sink: MailSink, admin_headers: dict[str, str]
) -> None:
    email = f"sofia-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Sofía",
                                                         "country": "AR"})
    assert signup.status_code == 201, signup.text
    headers = await platform.login(gateway, email, PASSWORD)

    opened = await gateway.post("/api/support/tickets", headers=headers, json={
        "subject": "No me llegan los correos", "sla_class": "SLA1",
        "message": "Desde ayer no recibo correos en mi casilla de contacto."})
    assert opened.status_code == 201, opened.text
    ticket = opened.json()
    assert ticket["first_response_due_at"] and ticket["plan"] == "standard"

    answer = "Revisamos el registro MX de su dominio y ya quedó corregido."
    replied = await gateway.post(f"/api/support/tickets/{ticket['id']}/messages", headers=admin_headers,
                                 json={"message": answer})
    assert replied.status_code == 201, replied.text

    async def mailed() -> bool:
        return any(ticket["code"] in str(m["Subject"]) for m in mail_sink.to(email))

    await wait_for(mailed, within=15, what="the staff answer by e-mail")
    mail = next(m for m in mail_sink.to(email) if ticket["code"] in str(m["Subject"]))
    assert mail["Subject"] == f"[#{ticket['code']}] Respuesta a su consulta: No me llegan los correos"
    assert answer in mail.get_body(preferencelist=("plain",)).get_content()
    seen = (await gateway.get(f"/api/support/tickets/{ticket['id']}", headers=headers)).json()
    assert seen["status"] == "answered" and seen["messages"][-1]["body"] == answer
    assert seen["resolution_due_at"] and seen["next_deadline_at"] == seen["resolution_due_at"]

    quote = (await gateway.post(f"/api/support/tickets/{ticket['id']}/quotes", headers=admin_headers, json={
        "title": "Migración de correo", "currency": "USD",
        "lines": [{"description": "Migración de 10 casillas", "unit_price_minor": 12000}]})).json()
    accepted = await gateway.post(f"/api/support/quotes/{quote['id']}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text

    async def invoiced() -> list[dict[str, object]]:
        invoices = (await gateway.get("/api/billing/invoices", headers=headers)).json()
        return [i for i in invoices if i["total_due"]["amount_minor"] == 12000] if isinstance(invoices, list) else []

    async def has_invoice() -> bool:
        return bool(await invoiced())

    await wait_for(has_invoice, within=15, what="billing's invoice for the accepted quote")
    [invoice] = await invoiced()
    assert invoice["status"] == "unpaid" and invoice["kind"] == "order" and quote["number"] in str(invoice["note"])
