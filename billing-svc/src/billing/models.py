"""Every billing table, imported once so the metadata (Alembic, mappers) knows them all."""

from billing.audit.models import AuditEntry
from billing.autopay.models import AutopayCharge, AutopaySwitch, SavedPaymentMethod
from billing.business_settings.models import BusinessSetting
from billing.catalog.models import Price, Product
from billing.changes.models import Upgrade
from billing.clients.models import Client
from billing.credit.models import CreditEntry, SlaCreditApplied
from billing.direct_debit.models import DirectDebitMandate
from billing.discounts.models import Coupon
from billing.drivers.models import ProvisioningDrivers
from billing.invoices.models import BillingPeriod, DunningStep, Invoice, InvoiceLine
from billing.payments.models import (
    AutomaticChargeFailure,
    Chargeback,
    Payment,
    PaymentAttempt,
    PaymentBatch,
    PaymentBatchInvoice,
    ProviderEvent,
    ProviderRefund,
    TransferReport,
)
from billing.promos.models import ReferralReward, TwoForOneOrder, TwoForOnePair
from billing.subscriptions.models import Subscription
from billing.tlds.models import TldPrice

__all__ = [
    "AuditEntry",
    "AutomaticChargeFailure",
    "AutopayCharge",
    "AutopaySwitch",
    "BillingPeriod",
    "BusinessSetting",
    "Chargeback",
    "Client",
    "Coupon",
    "CreditEntry",
    "DirectDebitMandate",
    "DunningStep",
    "Invoice",
    "InvoiceLine",
    "Payment",
    "PaymentAttempt",
    "PaymentBatch",
    "PaymentBatchInvoice",
    "Price",
    "Product",
    "ProviderEvent",
    "ProviderRefund",
    "ProvisioningDrivers",
    "ReferralReward",
    "SavedPaymentMethod",
    "SlaCreditApplied",
    "Subscription",
    "TldPrice",
    "TransferReport",
    "TwoForOneOrder",
    "TwoForOnePair",
    "Upgrade",
]
