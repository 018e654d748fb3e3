import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, SmallInteger
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class ProvisioningDrivers(Base):
    """The latest `DriversConfigured` provisioning sent (one row, id 1): which drivers it can run."""

    __tablename__ = "provisioning_drivers"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    configuration: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[uuid.UUID]
