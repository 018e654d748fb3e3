"""Issue 18 in the browser, staff's side and A-2: a sign-up held as suspicious is approved from the console with a
reason; the referred client pays and the commission matures; the affiliate's bank withdrawal is refused until its
identity is verified, so it uploads its document's front and back and a selfie from the panel and sends its legal
name, tax id and invoices' address; staff reject it once with a reason the client reads, then approve it
(ClientVerified; billing learns whom to make invoices out to, #15 item 6); the badge shows, the withdrawal goes
through, and staff approve it and mark it paid with the transfer reference. Every staff decision is on the
affiliate's audit trail. The new pages pass axe-core and are photographed."""

from __future__ import annotations

import struct
import uuid
import zlib
from typing import TYPE_CHECKING

import asyncpg
import httpx
from playwright.async_api import FilePayload, Page, expect

from abono.db import asyncpg_dsn
from abono.testing import wait_for
from tests.panel.test_journey import seed_catalog
from tests.panel.test_pages import check
from tests.panel.test_staff_console import staff_member

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"
LIVE = 20_000  # ms: a decision crosses a service → broker → another service


def png() -> bytes:
    """A real 1x1 PNG (the gateway checks the type by content; the console shows it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(
        b"IEND", b""
    )


ADDRESS = "Av. Corrientes 1234\nC1043AAZ CABA"
SIDES = {"front": "Frente del documento", "back": "Dorso del documento", "selfie": "Selfie con el documento"}


async def billing_invoices_to(panel: Panel, client_id: str, legal_name: str) -> bool:
    """#15 item 6: billing's row of this client holds the verified legal name, tax id and address (for the invoice
    PDF). By the client's id: other tests' clients may carry the same legal name."""
    conn = await asyncpg.connect(asyncpg_dsn(panel.platform.database_urls["billing"]))
    try:
        row = await conn.fetchrow("SELECT legal_name, tax_id, address FROM clients WHERE id = $1",
                                  uuid.UUID(client_id))
    finally:
        await conn.close()
    return row is not None and (row["legal_name"], row["tax_id"], row["address"]) == (
        legal_name, "27301112225", ADDRESS)


async def upload(page: Page, side: str, name: str, mime: str, data: bytes) -> None:
    """Choose the file as a person does; the page uploads it at once and says so."""
    field = page.get_by_test_id(f"upload-{side}")
    await expect(field.get_by_text("Elegir archivo", exact=True)).to_be_visible()  # not the browser's "Choose File"
    await page.get_by_label(SIDES[side]).set_input_files(files=FilePayload(name=name, mimeType=mime, buffer=data))
    await expect(field).to_contain_text("Subido")
    await expect(field).to_contain_text(name)


async def test_a2_f1_f3_client_uploads_its_id_staff_decide_in_the_console_and_the_withdrawal_is_paid(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await seed_catalog(panel)
    email = panel.new_email("vera")
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Vera Gómez", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    headers = await panel.platform.login(gateway, email, PASSWORD)
    affiliate_id = (await gateway.get("/api/auth/me", headers=headers)).json()["id"]
    joined = await gateway.post("/api/affiliate/affiliates/me", headers=headers)
    assert joined.status_code == 201, joined.text
    # A friend on the affiliate's own (non-public) e-mail domain signs up with its code: held for staff (F-1).
    friend = panel.new_email("amigo")
    friend_signup = await gateway.post("/api/auth/signup", json={"email": friend, "password": PASSWORD,
                                       "name": "Amigo Paz", "country": "AR", "referral_code": joined.json()["code"]})
    assert friend_signup.status_code == 202, friend_signup.text
    friend_headers = await panel.platform.login(gateway, friend, PASSWORD)
    friend_id = (await gateway.get("/api/auth/me", headers=friend_headers)).json()["id"]

    # Staff approve the held attribution from the console, with a reason.
    staff_email = await staff_member(panel, gateway, admin_headers)
    staff = await panel.person(width="laptop")
    await panel.sign_in(staff, staff_email)
    await staff.get_by_role("link", name="Afiliados", exact=True).click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Afiliados")
    held = staff.get_by_test_id("held-attribution").filter(has=staff.locator(f'a[href="/staff/clients/{friend_id}"]'))
    await expect(held).to_contain_text("same e-mail domain", timeout=LIVE)
    await check(panel, staff, "es-staff-affiliates")
    await held.get_by_label("Motivo de su decisión").fill("Compañero de trabajo, confirmado por teléfono")
    await held.get_by_role("button", name="Aprobar atribución").click()
    await expect(held).to_have_count(0)

    # The referred client pays a year of Community Manager; the commission is pending, then matures (F-2).
    async def billing_knows() -> bool:
        return (await gateway.get("/api/billing/clients/me", headers=friend_headers)).status_code == 200

    await wait_for(billing_knows, within=30, what="billing to learn of the referred client")
    placed = await gateway.post("/api/billing/orders", headers=friend_headers,
                                json={"items": [{"product_code": "community-manager", "cycle": "annual"}]})
    assert placed.status_code == 201, placed.text
    paid = await gateway.post(
        f"/api/billing/staff/invoices/{placed.json()['invoice_id']}/confirm-transfer", headers=admin_headers,
        json={"amount_minor": placed.json()["total_due"]["amount_minor"],
              "transfer_reference": f"BNA-{uuid.uuid4().hex[:8]}"})
    assert paid.status_code == 200, paid.text

    async def pending() -> bool:
        summary = (await gateway.get("/api/affiliate/affiliates/me", headers=headers)).json()
        return any(b["pending"]["amount_minor"] > 0 for b in summary["balances"])

    await wait_for(pending, within=20, what="the pending commission")
    moved = await gateway.post("/api/test/clock/advance", json={"days": 31}, headers=admin_headers)
    assert moved.status_code == 200, moved.text
    headers = await panel.platform.login(gateway, email, PASSWORD)

    async def available() -> bool:
        summary = (await gateway.get("/api/affiliate/affiliates/me", headers=headers)).json()
        return any(b["currency"] == "ARS" and b["available"]["amount_minor"] >= 2_000_000 for b in summary["balances"])

    await wait_for(available, within=30, what="the commission to mature (30-day holding period)")

    # Without a verified identity the bank withdrawal is refused, and the page leads to the verification (F-3, A-2).
    page = await panel.person(width="phone")
    await panel.sign_in(page, email)
    await page.goto("/affiliates")

    async def ask_bank_withdrawal() -> None:
        await page.get_by_label("Cómo lo desea").select_option("bank")
        await page.get_by_label("Importe (por ejemplo 25,00)").fill("20000")
        await page.get_by_label("Titular de la cuenta").fill("Vera Gómez")
        await page.get_by_label("Banco", exact=True).fill("Banco Nación")
        await page.get_by_label("CBU, CVU o número de cuenta").fill("0110599520000001234567")
        await page.get_by_role("button", name="Pedir retiro").click()

    await ask_bank_withdrawal()
    await expect(page.get_by_test_id("verify-first")).to_be_visible()
    await page.get_by_role("link", name="Verificar mi identidad").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Verificación de identidad")
    await expect(page.get_by_test_id("identity-badge")).to_have_text("Sin verificar")
    await check(panel, page, "es-identity")
    await upload(page, "front", "frente.png", "image/png", png())
    await upload(page, "back", "dorso.pdf", "application/pdf", b"%PDF-1.7\n%dorso\n")
    await upload(page, "selfie", "selfie.png", "image/png", png())
    await page.get_by_label("Nombre completo, como figura en el documento").fill("Vera Gómez")
    await page.get_by_label("CUIT, CUIL o número fiscal").fill("27-30111222-5")
    await page.get_by_label("Domicilio para sus facturas (opcional)").fill(ADDRESS)  # #15 item 6: the invoices'
    await page.get_by_role("button", name="Enviar a revisión").click()
    await expect(page.get_by_test_id("identity-badge")).to_have_text("En revisión")

    # Staff see the files and reject once with a reason; the client reads it and sends again; staff approve.
    staff = await panel.person(width="laptop")
    await panel.sign_in(staff, staff_email)
    await staff.get_by_role("link", name="Identidades", exact=True).click()
    review = staff.get_by_test_id("identity-review").filter(has_text="Vera Gómez")
    await expect(review).to_be_visible()
    await review.get_by_role("button", name="Ver Frente del documento").click()
    await expect(review.get_by_role("img", name="Frente del documento")).to_be_visible()
    await check(panel, staff, "es-staff-identity")
    await expect(review.get_by_role("button", name="Rechazar")).to_be_disabled()  # a rejection needs its reason
    await review.get_by_label("Motivo (obligatorio para rechazar)").fill("La selfie no muestra el documento")
    await review.get_by_role("button", name="Rechazar").click()
    await expect(review).to_have_count(0)
    await page.reload()
    await expect(page.get_by_test_id("identity-reason")).to_have_text("La selfie no muestra el documento")
    await upload(page, "selfie", "selfie2.png", "image/png", png())
    await expect(page.get_by_label("Domicilio para sus facturas (opcional)")).to_have_value(ADDRESS)  # kept
    await page.get_by_label("CUIT, CUIL o número fiscal").fill("27-30111222-5")
    await page.get_by_role("button", name="Enviar a revisión").click()
    await expect(page.get_by_test_id("identity-badge")).to_have_text("En revisión")
    await staff.reload()
    await review.get_by_role("button", name="Aprobar identidad").click()
    await expect(review).to_have_count(0)
    await page.reload()
    await expect(page.get_by_test_id("identity-badge")).to_have_text("✓ Identidad verificada")
    await wait_for(lambda: billing_invoices_to(panel, affiliate_id, "Vera Gómez"), within=30,
                   what="billing to learn the identity")
    await page.goto("/profile")
    await expect(page.get_by_test_id("identity-badge")).to_have_text("✓ Identidad verificada")

    # ClientVerified reaches the affiliate service: the withdrawal to the bank now goes through.
    async def verified_for_withdrawals() -> bool:
        answer = await gateway.post("/api/affiliate/affiliates/me/withdrawals", headers=headers, json={
            "method": "bank", "amount_minor": 1_000_000_000, "currency": "ARS",
            "bank_account": {"holder_name": "Vera Gómez", "bank": "Banco Nación", "account": "0110599520000001234567"}})
        return answer.status_code == 409 and answer.json()["type"].endswith("/insufficient-balance")

    await wait_for(verified_for_withdrawals, within=20, what="the affiliate service to learn the identity (A-2)")
    await page.goto("/affiliates")
    await ask_bank_withdrawal()
    await expect(page.get_by_text("Listo: recibimos su pedido.")).to_be_visible()
    await expect(page.get_by_test_id("withdrawal").first).to_contain_text("Pedido")

    # Staff approve the withdrawal, then mark it paid with the bank transfer's reference (F-3).
    await staff.get_by_role("link", name="Afiliados", exact=True).click()
    # Located by state as well as account: right after a decision the two lists (to review, to pay) refetch
    # independently, so the same request may briefly show in both.
    request = staff.get_by_test_id("withdrawal-request").filter(has_text="0110599520000001234567")
    await request.filter(has_text="Pedido").first.get_by_role("button", name="Aprobar retiro").click()
    approved = request.filter(has_text="Aprobado, por transferir")
    await expect(approved).to_have_count(1)
    await approved.get_by_label("Referencia de la transferencia").fill("TRF-2027-0042")
    await approved.get_by_role("button", name="Marcar pagado").click()
    await expect(approved).to_have_count(0)
    await staff.goto(f"/staff/affiliates/{affiliate_id}")
    await expect(staff.get_by_test_id("withdrawal-request").filter(has_text="TRF-2027-0042")).to_have_count(1)
    audit = staff.get_by_test_id("affiliate-audit")
    await expect(audit).to_have_count(3)
    await expect(audit.nth(0)).to_contain_text("Marcó pagado un retiro · TRF-2027-0042")
    await expect(audit.nth(1)).to_contain_text("Aprobó un retiro")
    await expect(audit.nth(2)).to_contain_text("Aprobó una atribución · Compañero de trabajo")
    await check(panel, staff, "es-staff-affiliate")
    await page.reload()
    await expect(page.get_by_test_id("withdrawal").first).to_contain_text("Pagado")

    # The gateway audited both identity decisions.
    trail = (await gateway.get("/api/auth/staff/audit", params={"client_id": affiliate_id},
                               headers=admin_headers)).json()
    decisions = [e["action"] for e in trail if e["action"].startswith("identity_")]
    assert decisions == ["identity_approve", "identity_reject"]

    english = await panel.person(width="laptop", language="en")
    await panel.sign_in(english, staff_email)
    # the staff member's language, kept in its profile: saved before the next page load reads it back
    await panel.speak_english(english)
    await english.goto("/staff/identity")
    await expect(english.get_by_role("heading", level=1)).to_have_text("Identity verification")
    await check(panel, english, "en-staff-identity")
