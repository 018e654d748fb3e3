"""Every table of the service, imported once so `affiliate.db.metadata` knows them all (Alembic, tests)."""

from affiliate.clients.models import Client, PayerFingerprint
from affiliate.commissions.models import InvoiceReversal, LedgerEntry, PaidInvoice
from affiliate.rates.models import AuditEntry, CommissionRate
from affiliate.referrals.models import Affiliate, Attribution, Visit
from affiliate.withdrawals.models import Withdrawal

__all__ = ["Affiliate", "Attribution", "AuditEntry", "Client", "CommissionRate", "InvoiceReversal", "LedgerEntry",
           "PaidInvoice", "PayerFingerprint", "Visit", "Withdrawal"]
