"""#15 item 6: the invoice PDF a client hands to an accountant, printed from HTML (WeasyPrint, bundled DejaVu Sans),
in the client's language: seller (business settings), client, number, dates, status, lines with period and each
discount (B-12, B-13), credit (B-10), totals in the currency's minor units (none for CLP), payment reference and
the bank details (B-19). Each PDF is rendered to PNG (pypdfium2) and its text read back."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pypdfium2 as pdfium
from billing_helpers import admin, auth, db_session, staff

from abono.db import asyncpg_dsn
from abono.events import ClientInvoicingIdentityChanged, ClientProfile, ClientRegistered
from abono.money import Money
from abono.testing import publish_events, wait_for
from billing.clients.repository import ClientRepository
from billing.discounts.labels import SUSPENDED_REASON, discount_label, withheld_reason

SELLER = {
    "seller_name": "Hosting del Sur SA",
    "seller_address": "Av. Corrientes 1234\nCABA, Argentina",
    "seller_tax_id": "30-71234567-8",
    "seller_logo_url": "",
}
BANK = {
    "currency": "USD",
    "country": "*",
    "bank_name": "Banco Ejemplo",
    "account_holder": "Hosting del Sur SA",
    "account_number": "0110599520000001234567",
    "alias": "HOSTING.SUR.USD",
    "swift": "",
    "holder_tax_id": "30-71234567-8",
    "notes": "Cuenta en dólares",
}


async def client(url: str, *, name: str, language: str, currency: str = "USD") -> uuid.UUID:
    client_id = uuid.uuid4()
    async with db_session(url) as session:
        await ClientRepository(session).upsert(
            client_id,
            ClientProfile(
                email=f"{client_id.hex[:8]}@example.test", name=name, language=language, country="AR", currency=currency
            ),
            at=datetime.now(UTC),
        )
    return client_id


async def printed(billing: httpx.AsyncClient, client_id: uuid.UUID, invoice_id: str, png: Path) -> str:
    """The invoice PDF as the client downloads it: each page rendered to PNG (written next to `png`), its text."""
    response = await billing.get(f"/invoices/{invoice_id}/pdf", headers=auth(client_id))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    document = pdfium.PdfDocument(response.content)
    texts = []
    for index in range(len(document)):
        page = document[index]
        image = page.render(scale=60 / 72).to_pil()  # 60 dpi, as `pdftoppm -r 60`
        assert image.size[0] > 400 and image.getextrema() != ((255, 255), (255, 255), (255, 255))  # not blank
        image.save(png.with_name(f"{png.stem}-{index + 1}.png"))
        texts.append(page.get_textpage().get_text_range())
    return " ".join(" ".join(texts).split())  # wrapped cells read as one line


async def test_item6_the_pdf_shows_seller_client_every_line_and_discount_and_how_to_pay_in_spanish(
    billing: httpx.AsyncClient, billing_db: str, tmp_path: Path
) -> None:
    assert (await billing.put("/staff/settings/seller", headers=admin(), json=SELLER)).status_code == 200
    assert (
        await billing.put("/staff/settings/transfers", headers=admin(), json={"transfer_instructions": [BANK]})
    ).status_code == 200
    try:
        ana = await client(billing_db, name="Ana Martínez Núñez", language="es")
        credit = {"amount_minor": 500, "currency": "USD", "reason": "gesto comercial"}  # B-10: pays part of it
        assert (await billing.post(f"/staff/clients/{ana}/credit", headers=staff(), json=credit)).status_code == 200
        placed = (
            await billing.post(
                "/orders",
                headers=auth(ana),
                json={
                    "items": [
                        {"product_code": "radio-basic", "cycle": "biennial", "quantity": 10},
                        {"product_code": "hosting-plus", "cycle": "annual", "quantity": 1},
                    ],
                    "payment_method": "zelle",
                },
            )
        ).json()
        detail = (await billing.get(f"/invoices/{placed['invoice_id']}", headers=auth(ana))).json()
        text = await printed(billing, ana, placed["invoice_id"], tmp_path / "es.png")
    finally:
        await billing.delete("/staff/settings/seller", headers=admin())
        await billing.delete("/staff/settings/transfers", headers=admin())
    for shown in (
        "Factura",
        "Hosting del Sur SA",
        "Av. Corrientes 1234",
        "30-71234567-8",
        "Ana Martínez Núñez",
        placed["number"],
        placed["payment_reference"],
        "Pendiente de pago",
        "Banco Ejemplo",
        "0110599520000001234567",
        "HOSTING.SUR.USD",
        "Total a pagar",
        "Saldo a favor aplicado",
        "\u22125.00 USD",
        str(Money(detail["total_due"]["amount_minor"], "USD")),  # what remains after the credit
    ):
        assert shown in text, shown
    assert len(detail["lines"]) == 2
    for line in detail["lines"]:
        assert line["description"].split(" · ")[0] in text  # the product; its period in its own column
        assert f"{line['period_start_on']} \u2013 {line['period_end_on']}" in text
        for discount in line["discounts"]:  # B-12: each discount with its amount, never "-0.00"
            assert discount["label"] in text
    for label in ("sin cargo", "Pago biennial", "Pago con zelle"):
        assert label in text, label
    assert re.search(r"\d+\.\d{2} USD", text) and "-0.00" not in text and "?" not in text


async def test_item6_a_clp_invoice_in_english_shows_no_minor_unit(
    billing: httpx.AsyncClient, billing_db: str, tmp_path: Path
) -> None:
    code = f"clp-{uuid.uuid4().hex[:8]}"
    created = await billing.post(
        "/staff/catalog/products",
        headers=admin(),
        json={
            "code": code,
            "name": "Hosting Santiago",
            "kind": "shared_hosting",
            "cycles": ["annual"],
            "activation": "automatic",
            "driver": "cpanel",
            "driver_settings": {"package": "t"},
            "prices": [{"cycle": "annual", "currency": "CLP", "amount_minor": 55000}],
        },
    )
    assert created.status_code == 201, created.text
    bob = await client(billing_db, name="Bob O'Neil", language="en", currency="CLP")
    placed = await billing.post(
        "/orders", headers=auth(bob), json={"items": [{"product_code": code, "cycle": "annual", "quantity": 2}]}
    )
    assert placed.status_code in (200, 201), placed.text
    invoice_id = placed.json()["invoice_id"]
    text = await printed(billing, bob, invoice_id, tmp_path / "clp.png")
    for shown in (
        "Invoice",
        "Bob O'Neil",
        "Hosting Santiago",
        "Unpaid",
        "Amount due",
        "Payment reference",
        "55000 CLP",
    ):
        assert shown in text, shown
    assert "CLP" in text and not re.search(r"\d[.,]\d+ CLP", text)  # CLP has no minor unit
    assert "Tax ID: " not in text  # no verified identity yet: the profile's name alone, still a whole invoice
    # Another client's invoice is not found, and without a token there is no PDF.
    assert (await billing.get(f"/invoices/{invoice_id}/pdf", headers=auth())).status_code == 404
    assert (await billing.get(f"/invoices/{invoice_id}/pdf")).status_code == 401


async def test_item6_an_english_client_verified_identity_and_discounts_in_english_on_the_pdf(
    billing: httpx.AsyncClient, billing_db: str, tmp_path: Path
) -> None:
    """B-12 labels in the client's language; the legal name, tax id and address the gateway's identity verification
    approved reach billing by event (the newer one wins whatever the order) and are printed under "Bill to"."""
    grace, now = uuid.uuid4(), datetime.now(UTC)
    profile = ClientProfile(email=f"{grace.hex[:8]}@example.test", name="Grace", language="en", country="US")
    identity = ClientInvoicingIdentityChanged(
        client_id=grace, legal_name="Hopper Consulting LLC", tax_id="US123456789",
        address="350 Fifth Avenue, Suite 21\nNew York, NY 10118", occurred_at=now + timedelta(minutes=2))
    stale = ClientInvoicingIdentityChanged(client_id=grace, legal_name="Old Name LLC", tax_id="US000000000",
                                           occurred_at=now + timedelta(minutes=1))
    events = [ClientRegistered(client_id=grace, profile=profile, occurred_at=now), identity, stale]
    await publish_events(*events)

    async def applied() -> bool:
        conn = await asyncpg.connect(asyncpg_dsn(billing_db))
        try:
            return bool(await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])",
                                            [e.event_id for e in events]) == len(events))
        finally:
            await conn.close()

    await wait_for(applied, what="billing to apply the client's events")
    order = {"items": [{"product_code": "radio-basic", "cycle": "biennial", "quantity": 10}], "payment_method": "zelle"}
    placed = await billing.post("/orders", headers=auth(grace), json=order)
    assert placed.status_code in (200, 201), placed.text
    text = await printed(billing, grace, placed.json()["invoice_id"], tmp_path / "en.png")
    for shown in (
        "BILL TO", "Hopper Consulting LLC", "Tax ID: US123456789", "350 Fifth Avenue, Suite 21", "New York, NY 10118",
        "Paying every 2 years", "Paying with Zelle", "2 free (every 5 alike)", "Unpaid",
    ):
        assert shown in text, shown
    assert "Old Name" not in text and "sin cargo" not in text and "Pago " not in text


def test_b12_stored_spanish_labels_translate_and_unknown_ones_stay_as_written() -> None:
    assert discount_label("cycle", "Pago annual", "en") == "Paying yearly"
    assert discount_label("coupon", "Cupón BIENVENIDA", "en") == "Coupon BIENVENIDA"
    assert discount_label("active_services", "3 servicios activos", "en") == "3 active services"
    assert discount_label("coupon", "Cupón BIENVENIDA", "es") == "Cupón BIENVENIDA"
    assert discount_label("coupon", "Promo de invierno", "en") == "Promo de invierno"  # an operator's own words
    assert discount_label("referral", "Mes gratis", "en") == "Mes gratis"
    assert withheld_reason(SUSPENDED_REASON, "en").startswith("You have a suspended service")
    # a row stored before the usted wording (voseo): today's Spanish words, and still its English
    stored = "Tenés un servicio suspendido: mientras lo esté, no se aplican descuentos ni cupones."
    assert withheld_reason(stored, "es") == SUSPENDED_REASON == (
        "Tiene un servicio suspendido: mientras lo esté, no se aplican descuentos ni cupones.")
    assert withheld_reason(stored, "en").startswith("You have a suspended service")
