"""An invoice as a PDF (the printing itself: `abono.pdf.render_pdf`)."""

from __future__ import annotations

from collections.abc import Sequence

from abono.money import Money
from billing.invoices.models import Invoice, InvoiceLine


def invoice_text(invoice: Invoice, lines: Sequence[InvoiceLine]) -> list[str]:
    """The invoice as the lines of text the PDF prints."""
    def m(minor: int) -> str:
        return str(Money(minor, invoice.currency))

    out = [f"Factura {invoice.number}  ({invoice.status})", f"Referencia de pago: {invoice.payment_reference}",
           f"Emitida: {invoice.issued_at:%Y-%m-%d}   Vence: {invoice.due_on}", ""]
    for line in lines:
        out.append(f"{line.description}  x{line.quantity}  {m(line.gross_minor)}")
        out.extend(f"    - {d['label']}: -{m(d['amount_minor'])}" for d in line.discounts)
        out.extend(f"    - {w['label']}: no aplicado ({w['because']}): {w['reason']}" for w in line.withheld)
        out.append(f"    = {m(line.amount_minor)}")
    out += ["", f"Subtotal: {m(invoice.subtotal_minor)}", f"Descuentos: -{m(invoice.discount_minor)}",
            f"Saldo a favor aplicado: -{m(invoice.credit_applied_minor)}", f"Total a pagar: {m(invoice.total_minor)}"]
    if invoice.note:
        out += ["", invoice.note]
    return out
