import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from abono.db import trigram_index
from provisioning.db import Base


class ServiceInstance(Base):
    """One service (P-1); its id is billing's service id. Product, driver and settings come with the order."""

    __tablename__ = "services"
    __table_args__ = (
        Index("ix_services_order_invoice_id", "order_invoice_id"),
        trigram_index("ix_services_domain_trgm", "lower(domain)"),
        # The console's search box: one or two letters match the start of a domain (no trigram to look up).
        Index("ix_services_domain_prefix", text("lower(domain) text_pattern_ops")),
        Index("ix_services_state_driver", "state", "driver"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(Text)
    product_id: Mapped[uuid.UUID]
    product_code: Mapped[str] = mapped_column(Text)
    product_name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    cycle: Mapped[str] = mapped_column(Text)
    activation: Mapped[str] = mapped_column(Text)  # automatic | manual
    driver: Mapped[str] = mapped_column(Text)
    driver_settings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    domain: Mapped[str | None] = mapped_column(Text)
    order_invoice_id: Mapped[uuid.UUID]
    activation_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServiceAudit(Base):
    """Every state change (P-1): who or what decided it, for which invoice, under which rule, from which event."""

    __tablename__ = "service_audit"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    service_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(Text)
    from_state: Mapped[str | None] = mapped_column(Text)
    to_state: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(Text)  # billing | payment | driver | staff | order | client (P-6)
    rule: Mapped[str | None] = mapped_column(Text)
    invoice_id: Mapped[uuid.UUID | None]
    cause_event_id: Mapped[uuid.UUID | None]  # the event that decided it
    event_id: Mapped[uuid.UUID | None]  # the event we published for it
    actor_id: Mapped[uuid.UUID | None]  # the staff member, for a completed manual task
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SuspensionHold(Base):
    """A service is suspended *for* an invoice (B-4/B-5); it comes back only once every hold is released."""

    __tablename__ = "suspension_holds"
    __table_args__ = (Index("ix_suspension_holds_invoice_id", "invoice_id"),)

    service_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(Text)
    cause_event_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_by_event_id: Mapped[uuid.UUID | None]


class SettledInvoice(Base):
    """Invoices known paid: a dunning decision for one of them that arrives late is void."""

    __tablename__ = "settled_invoices"

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID]
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[uuid.UUID]


class Upgrade(Base):
    """B-14: requested (billing.upgrade.requested) and paid (InvoicePaid.upgrade_ids), in either order."""

    __tablename__ = "upgrades"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID | None]
    to_product_id: Mapped[uuid.UUID | None]
    to_product_code: Mapped[str | None] = mapped_column(Text)
    to_product_name: Mapped[str | None] = mapped_column(Text)
    to_driver_settings: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    invoice_id: Mapped[uuid.UUID | None]
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    applying_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ServiceAccess(Base):
    """P-7: how the client reaches its service; the password only encrypted (`SecretBox`)."""

    __tablename__ = "service_access"
    __table_args__ = (
        trigram_index("ix_service_access_username_trgm", "lower(username)"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    panel_url: Mapped[str | None] = mapped_column(Text)
    username: Mapped[str | None] = mapped_column(Text)
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    manual_url: Mapped[str | None] = mapped_column(Text)
    downloads: Mapped[list[dict[str, str]]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
