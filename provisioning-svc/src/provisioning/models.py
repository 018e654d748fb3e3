"""Every table of provisioning, imported once so the metadata is complete (Alembic, tests)."""

from provisioning.actions.models import DriverAction
from provisioning.clients.models import ClientCopy
from provisioning.domains.models import Domain, DomainNotice, DomainRenewal, RegistrantProfile
from provisioning.instances.models import (
    ServiceAccess,
    ServiceAudit,
    ServiceInstance,
    SettledInvoice,
    SuspensionHold,
    Upgrade,
)
from provisioning.invoices.models import CancelledInvoice, InvoiceService, IssuedInvoice
from provisioning.site_migrations.models import MigrationRequest
from provisioning.tasks.models import StaffTask
from provisioning.transfers.models import ServiceTransfer

__all__ = [
    "CancelledInvoice",
    "ClientCopy",
    "Domain",
    "DomainNotice",
    "DomainRenewal",
    "DriverAction",
    "InvoiceService",
    "IssuedInvoice",
    "MigrationRequest",
    "RegistrantProfile",
    "ServiceAccess",
    "ServiceAudit",
    "ServiceInstance",
    "ServiceTransfer",
    "SettledInvoice",
    "StaffTask",
    "SuspensionHold",
    "Upgrade",
]
