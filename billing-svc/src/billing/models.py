"""Every billing table, imported once so the metadata (Alembic, mappers) knows them all."""

from billing.catalog.models import Price, Product
from billing.changes.models import Upgrade
from billing.clients.models import Client
from billing.discounts.models import Coupon
from billing.invoices.models import BillingPeriod, DunningStep, Invoice, InvoiceLine
from billing.payments.models import AuditEntry, CreditEntry, Payment
from billing.promos.models import ReferralReward, TwoForOneOrder, TwoForOnePair
from billing.providers.models import PaymentAttempt, ProviderRefund, TransferReport
from billing.subscriptions.models import Subscription
from billing.webhooks.models import Chargeback, ProviderEvent

__all__ = ["AuditEntry", "BillingPeriod", "Chargeback", "Client", "Coupon", "CreditEntry", "DunningStep", "Invoice",
           "InvoiceLine", "Payment", "PaymentAttempt", "Price", "Product", "ProviderEvent", "ProviderRefund",
           "Subscription", "TransferReport", "Upgrade"]
__all__ += ["ReferralReward", "TwoForOneOrder", "TwoForOnePair"]  # B-12 referral and 2x1 (billing.promos)
