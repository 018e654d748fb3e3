"""S-4: the provider's servers (with their health probe), incidents with their updates, scheduled maintenance, and
the month-end SLA credits decided from them."""

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column

from support.db import Base


class Server(Base):
    """A server as provisioning names it (`ServiceActivated.server`); staff give it a label and a probe."""

    __tablename__ = "servers"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    probe_kind: Mapped[str | None] = mapped_column(Text)  # http | tcp | None (no probe)
    probe_target: Mapped[str | None] = mapped_column(Text)  # http(s)://... | host:port
    probe_interval_seconds: Mapped[int] = mapped_column(Integer)
    probe_timeout_seconds: Mapped[float] = mapped_column(Float)
    failures_to_open: Mapped[int] = mapped_column(Integer)
    successes_to_resolve: Mapped[int] = mapped_column(Integer)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_successes: Mapped[int] = mapped_column(Integer, default=0)
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # first failed check in a row
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    server_name: Mapped[str] = mapped_column(ForeignKey("servers.name"), index=True)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)  # investigating | identified | monitoring | resolved
    source: Mapped[str] = mapped_column(Text)  # staff | probe
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None]


class IncidentUpdate(Base):
    __tablename__ = "incident_updates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    status: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[uuid.UUID | None]


class Maintenance(Base):
    """Scheduled work on a server; announced at `announced_at` (S-4: 48 hours ahead or it counts as downtime)."""

    __tablename__ = "maintenances"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    server_name: Mapped[str] = mapped_column(ForeignKey("servers.name"), index=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    announced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None]


class SlaMonth(Base):
    """A calendar month whose SLA credits were decided (by whichever scheduler replica got there first)."""

    __tablename__ = "sla_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    credits: Mapped[int] = mapped_column(Integer)


class SlaCredit(Base):
    """S-4 Decision: one credit per service and month (the primary key), with the figures it was decided on."""

    __tablename__ = "sla_credits"

    service_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    server_name: Mapped[str] = mapped_column(Text)
    downtime_minutes: Mapped[int] = mapped_column(Integer)
    uptime_percent: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    credit_percent: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[uuid.UUID]
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
