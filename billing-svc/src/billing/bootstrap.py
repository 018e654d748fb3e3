"""Wires billing's in-process reactions (Cosmic Python's bootstrap): who reacts to a settled invoice, in order, and
who keeps the saved methods a provider reports on.

`create_app` calls `wire()`; so must any process that settles invoices without the app (a benchmark, a test
calling a job directly). Calling it again changes nothing.
"""

from billing.autopay.service import apply_method_update as apply_saved_method_update
from billing.autopay.setups import apply_setup_update
from billing.changes.upgrades import apply_paid_upgrades
from billing.direct_debit.service import apply_update as apply_mandate_update
from billing.domain_events import invoice_settled
from billing.payments.saved_methods import method_updated
from billing.subscriptions.settlement import move_services_on


def wire() -> None:
    # Services move on first (paid periods, activation, B-7/B-8), then the paid upgrades apply (B-14), whose
    # re-issued renewals start from the services' new due dates.
    invoice_settled.register(move_services_on)
    invoice_settled.register(apply_paid_upgrades)
    # B-21: a provider's news about a saved method (a Pagos360 adhesion signed or cancelled) reaches its keeper ...
    method_updated.register(apply_mandate_update)
    # ... a Stripe card being saved (SetupIntent succeeded or failed, its page expired) ...
    method_updated.register(apply_setup_update)
    # ... and a saved method cancelled by the payer at the provider (a PayPal agreement, from the payer's account).
    method_updated.register(apply_saved_method_update)
