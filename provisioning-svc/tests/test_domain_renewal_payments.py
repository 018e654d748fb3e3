"""D-2 and issue 20: which payments can renew domains. `record_renewal_issue` records a renewal only for a renewal
invoice's line of a registered domain, so a payment looks for its invoice's renewals (a locking read) only when the
invoice is a renewal one and a line may be a domain's: a hosting renewal's `InvoicePaid` (every reactivation on
renewal day) skips it. Lines from older publishers, without their product's kind or without lines at all, are still
looked up."""

import uuid
from datetime import UTC, datetime

import pytest

from abono.events import InvoiceLineInfo, InvoicePaid
from provisioning.domains.service import may_renew_domains

USD = {"amount_minor": 1500, "currency": "USD"}


def line(product_kind: str | None, *, service: bool = True) -> InvoiceLineInfo:
    return InvoiceLineInfo(description="line", amount=USD, service_id=uuid.uuid4() if service else None,
                           product_kind=product_kind, cycle="annual")


def paid(kind: str | None, *lines: InvoiceLineInfo) -> InvoicePaid:
    return InvoicePaid(invoice_id=uuid.uuid4(), client_id=uuid.uuid4(), number="F-1", total=USD,
                       paid_at=datetime.now(UTC), method="card", kind=kind, lines=list(lines))


@pytest.mark.parametrize(("event", "looked_up"), [
    (paid("renewal", line("hosting")), False),
    (paid("renewal", line("hosting"), line("vps"), line(None, service=False)), False),
    (paid("renewal", line(None, service=False)), False),  # a fee alone
    (paid("order", line("domain")), False),  # an order registers (`create`), it renews nothing
    (paid("upgrade", line("hosting")), False),
    (paid("renewal", line("hosting"), line("domain")), True),
    (paid("renewal", line("domain")), True),
    (paid(None, line("domain")), True),  # an older publisher's event without its kind
    (paid("renewal", line(None)), True),  # a service line without its product's kind
    (paid("renewal"), True),  # an older publisher's event without lines
])
def test_d2_a_payment_looks_for_domain_renewals_only_where_its_invoice_can_have_them(
        event: InvoicePaid, looked_up: bool) -> None:
    assert may_renew_domains(event) is looked_up
