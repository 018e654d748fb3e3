"""#14 item 5 in notify: templates per kind (N-2) and language that admins rewrite in the console (checked against
sample figures, sandboxed, audited), previewed by staff, used by the next message without a restart."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import asyncpg

from abono.auth import Role
from abono.db import asyncpg_dsn

if TYPE_CHECKING:
    from conftest import EventFactory, Harness

PATH = "/staff/templates/invoice_issued/es"


async def test_item5_template_preview_renders_sample_figures_and_staff_may_not_change_templates(
    notify: Harness,
) -> None:
    client = notify.auth(uuid.uuid4())
    async with notify.http() as http:
        assert (await http.get("/staff/templates", headers=client)).status_code == 403
        listed = (await http.get("/staff/templates", headers=notify.staff())).json()
        assert {"kind": "invoice_issued", "language": "es", "source": "file", "updated_at": None} in listed
        current = (await http.get(PATH, headers=notify.staff())).json()
        assert "{% block subject %}" in current["text_source"] and current["source"] == "file"
        preview = await http.post(f"{PATH}/preview", headers=notify.staff(), json={})
        assert preview.status_code == 200, preview.text
        assert preview.json()["subject"] == "Factura F-000123 emitida: ARS 15.000,00, vence el 10 de enero de 2027"
        assert "Ana Pérez" in preview.json()["text"] and "<strong>F-000123</strong>" in preview.json()["html"]
        draft = current["text_source"].replace("Factura {{ number }} emitida", "Nueva factura {{ number }}")
        drafted = await http.post(f"{PATH}/preview", headers=notify.staff(), json={"text_source": draft})
        assert drafted.json()["subject"].startswith("Nueva factura F-000123:")
        for bad in (
            "{% block subject %}{{ number }{% endblock %}",  # syntax
            current["text_source"].replace("{{ number }}", "{{ no_such_figure }}"),  # unknown variable
            current["text_source"].replace("{{ number }}", "{{ fmt.__class__.__mro__ }}"),
        ):  # sandbox
            refused = await http.post(f"{PATH}/preview", headers=notify.staff(), json={"text_source": bad})
            assert refused.status_code == 422, bad
            assert refused.headers["content-type"].startswith("application/problem+json")
        staff_put = await http.put(
            PATH, headers=notify.staff(), json={"text_source": draft, "html_source": current["html_source"]}
        )
        assert staff_put.status_code == 403
        assert (await http.get("/staff/templates/no_such_kind/es", headers=notify.staff())).status_code == 404


async def test_item5_an_admin_rewrites_a_template_audited_and_the_next_invoice_mail_uses_it(
    notify: Harness, events: EventFactory
) -> None:
    admin_id = uuid.uuid4()
    admin = notify.auth(admin_id, Role.ADMIN)
    async with notify.http() as http:
        current = (await http.get(PATH, headers=admin)).json()
        text = current["text_source"].replace("Factura {{ number }} emitida", "Tu factura {{ number }} ya está")
        bad = await http.put(
            PATH,
            headers=admin,
            json={"text_source": "{% block text %}x{% endblock %}", "html_source": current["html_source"]},
        )
        assert bad.status_code == 422  # no subject block: refused before it is stored
        put = await http.put(PATH, headers=admin, json={"text_source": text, "html_source": current["html_source"]})
        assert put.status_code == 200, put.text
        assert put.json()["source"] == "console" and put.json()["updated_by"] == str(admin_id)
        try:
            client_id, registered = events.new_client()
            invoice = events.invoice_issued(client_id)
            await notify.publish(registered, invoice)
            await notify.wait_status(invoice.event_id, "email", "sent")
            mail = next(m for m in notify.mailbox.to(registered.profile.email) if "F-000123" in m["Subject"])
            assert mail["Subject"].startswith("Tu factura F-000123 ya está:")
            history = (await http.get("/staff/templates/history", headers=notify.staff())).json()
            mine = next(h for h in history if h["actor_id"] == str(admin_id))
            assert mine["action"] == "template_set" and mine["details"]["before"]["source"] == "file"
            assert mine["details"]["after"]["text_source"] == text
        finally:
            assert (await http.delete(PATH, headers=admin)).status_code == 204
    conn = await asyncpg.connect(asyncpg_dsn(notify.database_url))
    try:
        actions = [
            r["action"]
            for r in await conn.fetch("SELECT action FROM audit_log WHERE actor_id = $1 ORDER BY id", admin_id)
        ]
    finally:
        await conn.close()
    assert actions == ["template_set", "template_reset"]
