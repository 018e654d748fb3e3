"""What a provider offers to take direct-debit mandates (Pagos360's adhesiones): an optional capability beside
`PaymentProvider`, looked up by `BILLING_DIRECT_DEBIT_PROVIDER` and `isinstance`, never by name."""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

from billing.payments.provider import CheckoutInvoice, NewMandate


@runtime_checkable
class TakesMandates(Protocol):
    name: str

    async def create_mandate(self, mandate: NewMandate) -> tuple[str, str, str]:
        """Create the mandate; (mandate ref, state, label)."""
        ...

    async def mandate_state(self, *, mandate_ref: str) -> tuple[str, str]:
        """(state, the provider's comment) as the provider holds it now."""
        ...

    async def cancel_mandate(self, *, mandate_ref: str) -> None: ...

    async def cancel_debit(self, *, debit_ref: str) -> None:
        """Withdraw a debit request not collected yet (the client stopped direct debit, B-21)."""
        ...

    async def request_debit(self, *, mandate_ref: str, invoice: CheckoutInvoice, debit_on: date) -> str:
        """A debit of the invoice's amount on `debit_on`, once per invoice reference; the debit's payment id."""
        ...
