"""Billing's business counters on `/metrics` (`abono_billing_*`): committed facts only (see `abono.metrics`).

Invoices and dunning decisions are counted from the events the relay published (every path that issues an
invoice, the bulk renewal run included, emits `InvoiceIssued`); payments and webhooks where they happen, after
commit.
"""

from collections.abc import Mapping
from typing import Any

from abono.metrics import FactCounter, count_published

INVOICES_ISSUED = FactCounter(
    "billing", "invoices_issued_total", "Invoices issued (B-1, B-2), by kind and currency", ("kind", "currency"))
INVOICED_AMOUNT = FactCounter(
    "billing", "invoiced_amount_minor_total", "Amount due on the invoices issued (after credit, B-10), in minor units",
    ("currency",))
INVOICES_PAID = FactCounter(
    "billing", "invoices_paid_total", "Invoices settled (B-9), by the method that settled them", ("method",))
SUSPENSIONS_DECIDED = FactCounter(
    "billing", "suspensions_decided_total", "Services billing decided to suspend (B-4 one, B-5 all)", ("rule",))
TERMINATIONS_DECIDED = FactCounter(
    "billing", "terminations_decided_total", "Services billing decided to terminate (B-6, B-15, B-17)", ("rule",))
CHARGEBACKS = FactCounter(
    "billing", "chargebacks_total", "Chargebacks / disputes received (B-17), by provider", ("provider",))
PAYMENTS = FactCounter(
    "billing", "payments_total", "Payments applied (B-19, once per payment key), by provider and currency",
    ("provider", "currency"))
PAYMENTS_AMOUNT = FactCounter(
    "billing", "payments_amount_minor_total", "Money of the payments applied, in minor units",
    ("provider", "currency"))
WEBHOOKS_RECEIVED = FactCounter(
    "billing", "webhooks_received_total", "Provider webhooks verified and stored, new or a redelivery",
    ("provider", "outcome"))
WEBHOOKS_REJECTED = FactCounter(
    "billing", "webhooks_rejected_total", "Provider webhooks refused before anything was stored (400, 401)",
    ("provider", "status"))
WEBHOOKS_PROCESSED = FactCounter(
    "billing", "webhooks_processed_total", "Stored webhooks processed, by outcome (applied, duplicate, failed...)",
    ("provider", "outcome"))


def _currency(payload: Mapping[str, Any]) -> str:
    total = payload.get("total") or {}
    return str(total.get("currency", "unknown"))


def _services(payload: Mapping[str, Any]) -> int:
    return len(payload.get("service_ids") or ())


count_published("billing.invoice.issued", INVOICES_ISSUED,
                lambda p: {"kind": str(p.get("kind") or "unspecified"), "currency": _currency(p)})
count_published("billing.invoice.issued", INVOICED_AMOUNT, lambda p: {"currency": _currency(p)},
                lambda p: int((p.get("total") or {}).get("amount_minor", 0)))  # minor units, never a float
count_published("billing.invoice.paid", INVOICES_PAID, lambda p: {"method": str(p.get("method", "unknown"))})
count_published("billing.service.suspension_decided", SUSPENSIONS_DECIDED,
                lambda p: {"rule": str(p.get("rule", ""))}, _services)
count_published("billing.service.termination_decided", TERMINATIONS_DECIDED,
                lambda p: {"rule": str(p.get("rule", ""))}, _services)
count_published("billing.payment.charged_back", CHARGEBACKS, lambda p: {"provider": str(p.get("provider", ""))})
