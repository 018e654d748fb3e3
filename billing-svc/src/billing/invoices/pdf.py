"""An invoice as a document a client can hand to an accountant (#15 item 6): HTML printed to PDF by WeasyPrint with
the bundled DejaVu Sans (fonts/, with its licence), in Spanish or English by the client's language.

`invoice_document` gathers what the page shows (seller identity from the business settings, the client as billing
knows it, the bank details for the invoice's currency, B-19); `render_invoice_pdf` prints it (CPU work: call it off
the event loop). Amounts use abono's Money formatting: the currency's minor units, none for CLP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy.ext.asyncio import AsyncSession
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from abono.money import Money
from billing.business_settings.service import Seller, seller_identity, transfer_instructions_for
from billing.clients.models import Client
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings, TransferInstruction
from billing.discounts.labels import discount_label, withheld_reason
from billing.invoices.models import Invoice, InvoiceLine, InvoiceStatus

FONTS = Path(__file__).resolve().with_name("fonts")

TEXT: dict[str, dict[str, str]] = {
    "es": {
        "title": "Factura",
        "number": "Número",
        "issued": "Emitida",
        "due": "Vence",
        "status": "Estado",
        "seller_tax": "CUIT / ID fiscal",
        "client_tax": "CUIT / ID fiscal",
        "bill_to": "Facturar a",
        "country": "País",
        "description": "Concepto",
        "period": "Período",
        "qty": "Cant.",
        "unit": "Precio unit.",
        "amount": "Importe",
        "subtotal": "Subtotal",
        "discounts": "Descuentos",
        "credit": "Saldo a favor aplicado",
        "total": "Total a pagar",
        "paid_total": "Total",
        "withheld": "no aplicado",
        "reference": "Referencia de pago",
        "how_to_pay": "Cómo pagar",
        "quote": "Indique la referencia {ref} en la transferencia.",
        "bank": "Banco",
        "holder": "Titular",
        "account": "Cuenta / CBU / IBAN",
        "alias": "Alias",
        "swift": "SWIFT",
        "holder_tax": "ID fiscal del titular",
        "online": "También puede pagar en línea desde su panel de cliente.",
        "no_bank": "Pague en línea desde su panel de cliente con la referencia {ref}.",
        "paid_on": "Pagada el {day} ({method}).",
        "currency": "Moneda",
        "note": "Nota",
    },
    "en": {
        "title": "Invoice",
        "number": "Number",
        "issued": "Issued",
        "due": "Due",
        "status": "Status",
        "seller_tax": "Tax ID",
        "client_tax": "Tax ID",
        "bill_to": "Bill to",
        "country": "Country",
        "description": "Description",
        "period": "Period",
        "qty": "Qty",
        "unit": "Unit price",
        "amount": "Amount",
        "subtotal": "Subtotal",
        "discounts": "Discounts",
        "credit": "Credit applied",
        "total": "Amount due",
        "paid_total": "Total",
        "withheld": "not applied",
        "reference": "Payment reference",
        "how_to_pay": "How to pay",
        "quote": "Quote reference {ref} on the transfer.",
        "bank": "Bank",
        "holder": "Account holder",
        "account": "Account / CBU / IBAN",
        "alias": "Alias",
        "swift": "SWIFT",
        "holder_tax": "Holder's tax ID",
        "online": "You can also pay online from your client panel.",
        "no_bank": "Pay online from your client panel quoting reference {ref}.",
        "paid_on": "Paid on {day} ({method}).",
        "currency": "Currency",
        "note": "Note",
    },
}
STATUS: dict[str, dict[str, str]] = {
    "es": {
        InvoiceStatus.UNPAID: "Pendiente de pago",
        InvoiceStatus.PAID: "Pagada",
        InvoiceStatus.CANCELLED: "Anulada",
        InvoiceStatus.REFUNDED: "Reembolsada",
        InvoiceStatus.WAIVED: "Condonada",
    },
    "en": {
        InvoiceStatus.UNPAID: "Unpaid",
        InvoiceStatus.PAID: "Paid",
        InvoiceStatus.CANCELLED: "Cancelled",
        InvoiceStatus.REFUNDED: "Refunded",
        InvoiceStatus.WAIVED: "Waived",
    },
}


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything the printed invoice shows."""

    invoice: Invoice
    lines: Sequence[InvoiceLine]
    seller: Seller
    client: Client | None
    bank: TransferInstruction | None
    language: str


def language_of(client: Client | None) -> str:
    """English for a client whose language is English, else Spanish (the platform's default)."""
    return "en" if client is not None and client.language.lower().startswith("en") else "es"


async def invoice_document(
    session: AsyncSession, settings: BillingSettings, invoice: Invoice, lines: Sequence[InvoiceLine]
) -> InvoiceDocument:
    client = await ClientRepository(session).get(invoice.client_id)
    bank = transfer_instructions_for(settings, currency=invoice.currency, country=client.country if client else None)
    return InvoiceDocument(
        invoice=invoice,
        lines=lines,
        seller=await seller_identity(session, settings),
        client=client,
        bank=bank,
        language=language_of(client),
    )


class _Fetcher(URLFetcher):  # type: ignore[misc]
    """Only the bundled fonts and inline (data:) images: the printer never reaches the network or other files."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:") or (url.startswith("file://") and Path(unquote(url[7:])).resolve().parent == FONTS):
            return super().fetch(url, headers)
        raise ValueError(f"the invoice may not load {url[:60]!r}")


def render_invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes."""
    pdf = HTML(string=invoice_html(doc), url_fetcher=_Fetcher(allowed_protocols={"data", "file"})).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def _e(value: object) -> str:
    return escape(str(value))


def _day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else ""


def invoice_html(doc: InvoiceDocument) -> str:
    t, inv = TEXT[doc.language], doc.invoice

    def m(minor: int) -> str:
        return _e(Money(minor, inv.currency))

    status = STATUS[doc.language].get(inv.status, inv.status)
    logo = (
        f'<img class="logo" src="{_e(doc.seller.logo_url)}" alt="">'
        if doc.seller.logo_url.startswith("data:image/")
        else ""
    )
    seller = [f"<strong>{_e(doc.seller.name)}</strong>", *(_e(x) for x in doc.seller.address.splitlines() if x)]
    if doc.seller.tax_id:
        seller.append(f"{t['seller_tax']}: {_e(doc.seller.tax_id)}")
    client = _bill_to(doc.client, t) if doc.client else [_e(inv.client_id)]
    rows = []
    for line in doc.lines:
        period, description = "", line.description
        if line.period_start_on and line.period_end_on:
            period = f"{_day(line.period_start_on)} &ndash; {_day(line.period_end_on)}"
            # Issuing writes the period at the end of the description ("… · 2026-12-03 → 2027-12-03"): printed once.
            description = description.removesuffix(f" · {line.period_start_on} → {line.period_end_on}")
        rows.append(
            f'<tr class="line"><td>{_e(description)}</td><td class="period">{period}</td><td class="n">{line.quantity}'
            f'</td><td class="n">{m(line.unit_price_minor)}</td><td class="n">{m(line.gross_minor)}</td></tr>'
        )
        rows.extend(
            f'<tr class="sub"><td colspan="4">{_e(discount_label(d["rule"], d["label"], doc.language))}</td>'
            f'<td class="n">&minus;{m(d["amount_minor"])}</td></tr>'
            for d in line.discounts
        )
        rows.extend(
            f'<tr class="sub withheld"><td colspan="5">{_e(discount_label(w["rule"], w["label"], doc.language))}: '
            f"{t['withheld']} ({_e(w['because'])}) &mdash; {_e(withheld_reason(w['reason'], doc.language))}</td></tr>"
            for w in line.withheld
        )
        if line.discount_minor:
            rows.append(f'<tr class="sub"><td colspan="4"></td><td class="n">{m(line.amount_minor)}</td></tr>')
    totals = [(t["subtotal"], m(inv.subtotal_minor))]
    if inv.discount_minor:
        totals.append((t["discounts"], f"&minus;{m(inv.discount_minor)}"))
    if inv.credit_applied_minor:
        totals.append((t["credit"], f"&minus;{m(inv.credit_applied_minor)}"))
    totals.append((t["total"] if inv.status == InvoiceStatus.UNPAID else t["paid_total"], m(inv.total_minor)))
    total_rows = "".join(f'<tr><td>{label}</td><td class="n">{value}</td></tr>' for label, value in totals)
    note = f'<p class="note"><strong>{t["note"]}:</strong> {_e(inv.note)}</p>' if inv.note else ""
    return f"""<!doctype html><html lang="{doc.language}"><head><meta charset="utf-8">
<title>{t["title"]} {_e(inv.number)}</title><style>{_css()}</style></head><body>
<header><div class="seller">{logo}{"<br>".join(seller)}</div>
<div class="meta"><h1>{t["title"]}</h1><table>
<tr><th>{t["number"]}</th><td>{_e(inv.number)}</td></tr>
<tr><th>{t["issued"]}</th><td>{_day(inv.issued_at.date())}</td></tr>
<tr><th>{t["due"]}</th><td>{_day(inv.due_on)}</td></tr>
<tr><th>{t["status"]}</th><td class="status {_e(inv.status)}">{_e(status)}</td></tr>
<tr><th>{t["currency"]}</th><td>{_e(inv.currency)}</td></tr></table></div></header>
<section class="client"><h2>{t["bill_to"]}</h2>{"<br>".join(client)}</section>
<table class="lines"><thead><tr><th>{t["description"]}</th><th>{t["period"]}</th><th class="n">{t["qty"]}</th>
<th class="n">{t["unit"]}</th><th class="n">{t["amount"]}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
<table class="totals">{total_rows}</table>{note}
<section class="pay"><h2>{t["how_to_pay"]}</h2><p>{t["reference"]}: <strong>{_e(inv.payment_reference)}</strong></p>
{_payment(doc, t)}</section></body></html>"""


def _bill_to(client: Client, t: dict[str, str]) -> list[str]:
    """The client as invoices are made out to it: the verified legal name, tax id and address when the gateway's
    identity verification gave them (#15 item 6), else the profile's name; then e-mail and country."""
    shown = [f"<strong>{_e(client.legal_name or client.name)}</strong>"]
    if client.tax_id:
        shown.append(f"{t['client_tax']}: {_e(client.tax_id)}")
    shown.extend(_e(line) for line in (client.address or "").splitlines() if line.strip())
    shown.append(_e(client.email))
    if client.country:
        shown.append(f"{t['country']}: {_e(client.country)}")
    return shown


def _payment(doc: InvoiceDocument, t: dict[str, str]) -> str:
    inv, ref = doc.invoice, _e(doc.invoice.payment_reference)
    if inv.status != InvoiceStatus.UNPAID:
        if inv.settled_at is None:
            return ""
        return f"<p>{t['paid_on'].format(day=_day(inv.settled_at.date()), method=_e(inv.paid_method or '-'))}</p>"
    if doc.bank is None:
        return f"<p>{t['no_bank'].format(ref=ref)}</p>"
    b = doc.bank
    fields = [
        (t["bank"], b.bank_name),
        (t["holder"], b.account_holder),
        (t["account"], b.account_number),
        (t["alias"], b.alias),
        (t["swift"], b.swift),
        (t["holder_tax"], b.holder_tax_id),
    ]
    rows = "".join(f"<tr><th>{label}</th><td>{_e(value)}</td></tr>" for label, value in fields if value)
    notes = f"<p>{_e(b.notes)}</p>" if b.notes else ""
    return f'<p>{t["quote"].format(ref=ref)}</p><table class="bank">{rows}</table>{notes}<p>{t["online"]}</p>'


def _css() -> str:
    regular, bold = (FONTS / "DejaVuSans.ttf").as_uri(), (FONTS / "DejaVuSans-Bold.ttf").as_uri()
    return f"""
@font-face {{ font-family: "Abono Sans"; src: url("{regular}"); font-weight: normal; }}
@font-face {{ font-family: "Abono Sans"; src: url("{bold}"); font-weight: bold; }}
@page {{ size: A4; margin: 18mm 16mm; }}
body {{ font-family: "Abono Sans"; font-size: 9.5pt; color: #1d2733; }}
header {{ display: flex; justify-content: space-between; border-bottom: 2px solid #1f5f99; padding-bottom: 8mm; }}
.logo {{ max-height: 18mm; max-width: 60mm; display: block; margin-bottom: 3mm; }}
h1 {{ font-size: 20pt; margin: 0 0 3mm; color: #1f5f99; text-align: right; }}
h2 {{ font-size: 10pt; text-transform: uppercase; color: #5b6b7c; margin: 0 0 2mm; }}
.meta th {{ text-align: left; padding-right: 4mm; color: #5b6b7c; font-weight: normal; }}
.status.unpaid {{ color: #b3261e; font-weight: bold; }} .status.paid {{ color: #1e7d32; font-weight: bold; }}
.client {{ margin: 7mm 0; }}
table.lines {{ width: 100%; border-collapse: collapse; }}
.lines th {{ background: #eef3f8; text-align: left; padding: 2mm; font-size: 8.5pt; }}
.lines td {{ padding: 1.5mm 2mm; vertical-align: top; }}
.lines tr.line td {{ border-top: 1px solid #d5dde5; }}
.lines tr.sub td {{ color: #5b6b7c; font-size: 8.5pt; padding-top: 0; padding-left: 6mm; }}
.lines tr.withheld td {{ font-style: italic; }}
.n, .period {{ text-align: right; white-space: nowrap; }}
.period {{ text-align: left; }}
.lines th.n {{ text-align: right; }}
table.totals {{ margin: 5mm 0 0 auto; border-collapse: collapse; min-width: 75mm; }}
.totals td {{ padding: 1.2mm 2mm; }}
.totals tr:last-child td {{ border-top: 2px solid #1f5f99; font-weight: bold; font-size: 11pt; }}
.note {{ margin-top: 6mm; }}
.pay {{ margin-top: 9mm; padding: 4mm; background: #f6f8fa; border-radius: 2mm; }}
.bank th {{ text-align: left; padding-right: 4mm; color: #5b6b7c; font-weight: normal; }}
"""
