"""B-10: what a client reads of its credit ledger. Each entry's free-text `reason` (written by the code that moved
the credit) is told apart here into a small set of kinds the panel names in the client's language; the raw text,
which can carry staff's own words or internal ids, stays in the console."""

from __future__ import annotations

from enum import StrEnum

from billing.credit.models import CreditEntry


class MovementKind(StrEnum):
    APPLIED = "applied"  # used to pay an invoice (at issue, or with a payment)
    OVERPAYMENT = "overpayment"  # a payment larger than what was due
    RETURNED = "returned"  # given back when an invoice that had used it was cancelled
    UPGRADE = "upgrade"  # B-14: a negative prorated difference
    REFERRAL = "referral"  # B-12, F-4: a free month for a referred friend
    AFFILIATE = "affiliate"  # F-3: commissions withdrawn as credit
    SLA = "sla"  # S-4: the monthly uptime credit
    ADJUSTMENT = "adjustment"  # staff's manual credit or debit
    OTHER = "other"


UPGRADE_DIFFERENCE = "upgrade difference"  # B-14: a negative prorated difference, credited (changes/upgrades.py)

# Reason prefixes as the writers word them (payments/service.py, invoices/issuing.py and service.py,
# changes/upgrades.py, promos/referral.py and consumers.py, credit/consumers.py, console/service.py).
_PREFIXES: tuple[tuple[str, MovementKind], ...] = (
    ("applied to invoice", MovementKind.APPLIED),
    ("payment excess", MovementKind.OVERPAYMENT),
    ("returned from cancelled invoice", MovementKind.RETURNED),
    (UPGRADE_DIFFERENCE, MovementKind.UPGRADE),
    ("B-14", MovementKind.UPGRADE),  # as written before 2026-12-04
    ("referral", MovementKind.REFERRAL),
    ("affiliate commissions", MovementKind.AFFILIATE),
    ("S-4", MovementKind.SLA),
    ("staff:", MovementKind.ADJUSTMENT),
)


def movement_kind(entry: CreditEntry) -> MovementKind:
    for prefix, kind in _PREFIXES:
        if entry.reason.startswith(prefix):
            return kind
    return MovementKind.OTHER
