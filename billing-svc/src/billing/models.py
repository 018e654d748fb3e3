"""Every billing table, imported once so the metadata (Alembic, mappers) knows them all."""

from billing.catalog.models import Price, Product
from billing.changes.models import Upgrade
from billing.clients.models import Client
from billing.discounts.models import Coupon
from billing.invoices.models import BillingPeriod, DunningStep, Invoice, InvoiceLine
from billing.payments.models import AuditEntry, CreditEntry, Payment
from billing.subscriptions.models import Subscription

__all__ = ["AuditEntry", "BillingPeriod", "Client", "Coupon", "CreditEntry", "DunningStep", "Invoice",
           "InvoiceLine", "Payment", "Price", "Product", "Subscription", "Upgrade"]
