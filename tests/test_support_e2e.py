"""Issue 16 end to end through the gateway: a client opens a ticket in Spanish, staff answer from the console's
API, the client is mailed the answer (code in the subject) and sees it with its deadline; staff send a quote, the
client accepts it, and billing issues its invoice from the acceptance (S-1, S-3, S-6); a support plan bought in
billing and switched on in provisioning becomes the client's plan in support (S-3)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import text

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.seed import load_seed_catalog

if TYPE_CHECKING:
    from conftest import MailSink, Platform

PASSWORD = "una-clave-bien-larga"


async def test_s1_s6_a_ticket_answered_by_staff_then_a_quote_accepted_becomes_an_invoice(
    gateway: httpx.AsyncClient, platform: Platform, mail_sink: MailSink, admin_headers: dict[str, str]
) -> None:
    email = f"sofia-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Sofía",
                                                         "country": "AR"})
    assert signup.status_code == 202, signup.text
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

    await wait_for(mailed, what="the staff answer by e-mail")
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

    await wait_for(has_invoice, what="billing's invoice for the accepted quote")
    [invoice] = await invoiced()
    assert invoice["status"] == "unpaid" and invoice["kind"] == "order" and quote["number"] in str(invoice["note"])


async def test_s3_a_support_plan_bought_in_billing_reaches_support_through_the_events(
    gateway: httpx.AsyncClient, platform: Platform, admin_headers: dict[str, str]
) -> None:
    engine = make_engine(platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await load_seed_catalog(session)  # what `python -m billing.seed` does for `make run`
    await engine.dispose()
    email = f"tomas-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Tomás",
                                                         "country": "AR"})
    assert signup.status_code == 202, signup.text
    headers = await platform.login(gateway, email, PASSWORD)

    async def billing_knows_the_client() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=headers)).status_code == 200

    await wait_for(billing_knows_the_client, what="billing to learn of the client")
    assert (await gateway.get("/api/support/support-plan", headers=headers)).json()["plan"] == "standard"
    placed = await gateway.post("/api/billing/orders", headers=headers, json={
        "items": [{"product_code": "support-full", "cycle": "monthly"}]})
    assert placed.status_code == 201, placed.text
    paid = await gateway.post(f"/api/billing/staff/invoices/{placed.json()['invoice_id']}/confirm-transfer",
                              headers=admin_headers, json={"amount_minor": placed.json()["total_due"]["amount_minor"],
                                                           "transfer_reference": f"PREX-{uuid.uuid4().hex[:10]}"})
    assert paid.status_code == 200, paid.text
    service_id = placed.json()["service_ids"][0]

    async def task() -> dict[str, object] | None:
        tasks = (await gateway.get("/api/provisioning/staff/tasks", headers=admin_headers)).json()
        return next((t for t in tasks if t["service_id"] == service_id), None)

    async def task_opened() -> bool:
        return await task() is not None

    await wait_for(task_opened, what="the staff task that switches the plan on")
    opened = await task()
    assert opened is not None
    done = await gateway.post(f"/api/provisioning/staff/tasks/{opened['id']}/complete", headers=admin_headers,
                              json={"note": "Línea de WhatsApp habilitada"})
    assert done.status_code == 200, done.text

    async def full() -> bool:
        plan = (await gateway.get("/api/support/support-plan", headers=headers)).json()
        return bool(plan["plan"] == "full" and plan["remote_support"])

    await wait_for(full, what="support to learn of the Full plan")
    ticket = (await gateway.post("/api/support/tickets", headers=headers, json={
        "subject": "Caída del servidor", "sla_class": "SLA3", "message": "No responde nada"})).json()
    assert ticket["plan"] == "full"


async def test_s3_an_escalated_ticket_is_mailed_to_its_assignee_in_the_staff_members_language(
    gateway: httpx.AsyncClient, platform: Platform, mail_sink: MailSink, admin_headers: dict[str, str]
) -> None:
    """S-3 Decision "notify staff": the gateway announces the new staff member (StaffRoleChanged), support's scheduler
    flags the warning and the breach of an assigned ticket once each, notify mails its assignee in English."""
    staff_email = f"agent-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup", json={"email": staff_email, "password": PASSWORD, "name": "Alex",
                                                         "country": "AR", "language": "en"})
    assert signup.status_code == 202, signup.text
    agent = (await gateway.get("/api/auth/me", headers=await platform.login(gateway, staff_email, PASSWORD))).json()
    promoted = await gateway.patch(f"/api/auth/users/{agent['id']}/role", headers=admin_headers, json={"role": "staff"})
    assert promoted.status_code == 200, promoted.text
    members = (await gateway.get("/api/auth/staff/members", headers=admin_headers)).json()
    assert {"id": agent["id"], "name": "Alex", "email": staff_email, "role": "staff", "totp": False} in members
    engine = make_engine(platform.database_urls["notify"], pool_size=1)

    async def on_roster() -> bool:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            found = await session.execute(text("SELECT 1 FROM staff_members WHERE staff_id = :id"), {"id": agent["id"]})
            return found.first() is not None

    await wait_for(on_roster, what="notify's roster to learn of the new staff member")
    await engine.dispose()

    start = datetime(2031, 2, 3, 13, 0, tzinfo=UTC)  # a Monday, 10:00 in Buenos Aires
    moved = await gateway.put("/api/test/clock", json={"now": start.isoformat()}, headers=admin_headers)
    assert moved.status_code == 200, moved.text
    client_email = f"nora-{uuid.uuid4().hex[:8]}@example.test"
    await gateway.post("/api/auth/signup", json={"email": client_email, "password": PASSWORD, "name": "Nora",
                                                 "country": "AR"})
    headers = await platform.login(gateway, client_email, PASSWORD)
    ticket = (await gateway.post("/api/support/tickets", headers=headers, json={
        "subject": "El sitio no responde", "sla_class": "SLA3", "message": "Error 502 en la portada"})).json()
    assert ticket["first_response_due_at"].startswith("2031-02-03T15:00")  # SLA3: 2 hours at most
    assigned = await gateway.patch(f"/api/support/tickets/{ticket['id']}", headers=admin_headers,
                                   json={"assigned_to": agent["id"]})
    assert assigned.status_code == 200, assigned.text
    late = start + timedelta(hours=2, minutes=1)
    moved = await gateway.put("/api/test/clock", json={"now": late.isoformat()}, headers=admin_headers)
    assert moved.status_code == 200, moved.text

    def escalations() -> list[str]:
        return sorted(str(m["Subject"]) for m in mail_sink.to(staff_email) if ticket["code"] in str(m["Subject"]))

    async def both() -> bool:
        return len(escalations()) >= 2

    await wait_for(both, within=30, what="the warning and the breach mailed to the assignee")
    assert escalations() == [f"[#{ticket['code']}] Deadline missed (SLA3): El sitio no responde",
                             f"[#{ticket['code']}] Deadline near (SLA3): El sitio no responde"]
    flagged = (await gateway.get(f"/api/support/tickets/{ticket['id']}", headers=admin_headers)).json()
    assert flagged["priority"] == "urgent"
    assert not any(ticket["code"] in str(m["Subject"]) for m in mail_sink.to(client_email))  # staff only
