import uuid
from datetime import date, datetime

from sqlalchemy import ARRAY, Date, DateTime, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from provisioning.db import Base


class Domain(Base):
    """A domain service (its id is the service's): what the registry holds and what the client asked for."""

    __tablename__ = "domains"
    __table_args__ = (
        Index("ix_domains_name", "name"),
        Index("ix_domains_expires_on", "expires_on"),
        Index("ix_domains_sync_due_at", "sync_due_at", postgresql_where=text("sync_due_at IS NOT NULL")),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(Text)
    operation: Mapped[str] = mapped_column(Text)  # register | transfer
    # pending (unpaid) | awaiting_contact | registering | transferring | active | expired | deleted | gone
    status: Mapped[str] = mapped_column(Text)
    years: Mapped[int] = mapped_column(Integer)
    epp_code_encrypted: Mapped[str | None] = mapped_column(Text)  # transfer in (SecretBox)
    nameservers: Mapped[list[str]] = mapped_column(ARRAY(Text))  # what the client wants (empty: the provider's)
    locked: Mapped[bool]
    registrar_order_id: Mapped[str | None] = mapped_column(Text)
    expires_on: Mapped[date | None] = mapped_column(Date)
    registry_nameservers: Mapped[list[str]] = mapped_column(ARRAY(Text))  # what the last sync read
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sync_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DomainRenewal(Base):
    """D-2: a renewal invoice for a domain; renewed at the registry once, when paid (in either order)."""

    __tablename__ = "domain_renewals"
    __table_args__ = (Index("ix_domain_renewals_invoice_id", "invoice_id"),)

    service_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    renewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    years: Mapped[int | None] = mapped_column(Integer)  # B-11: what the invoice bills (its line's cycle)
    expires_on_after: Mapped[date | None] = mapped_column(Date)


class RegistrantProfile(Base):
    """The client's registrant data (P-2: a domain is registered only once it is complete)."""

    __tablename__ = "registrant_profiles"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    company: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    city: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)
    postal_code: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(Text)
    phone_cc: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(Text)
    tax_id: Mapped[str] = mapped_column(Text, server_default="")  # CUIT/CUIL or NIC id: .ar needs it (NIC Argentina)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DomainNotice(Base):
    """D-2: a warning sent before expiry, once per domain, expiry date and threshold (any number of replicas)."""

    __tablename__ = "domain_notices"

    service_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    expires_on: Mapped[date] = mapped_column(Date, primary_key=True)
    days_before: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
