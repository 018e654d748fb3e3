import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from billing.db import Base


class ProductKind(StrEnum):
    """C-1."""

    DOMAIN = "domain"
    SHARED_HOSTING = "shared_hosting"
    RESELLER_HOSTING = "reseller_hosting"
    VPS = "vps"  # VPS or dedicated server
    WEBMASTER = "webmaster"
    AUDIO_STREAMING = "audio_streaming"
    VIDEO_STREAMING = "video_streaming"
    NEWS_PORTAL = "news_portal"
    EMAIL_MARKETING = "email_marketing"
    COMMUNITY_MANAGER = "community_manager"
    WEB_BUILDER = "web_builder"
    MOBILE_APPS = "mobile_apps"
    CHAT_ROOMS = "chat_rooms"
    VOICE_OVERS = "voice_overs"
    SUPPORT_PLAN = "support_plan"  # S-3: Professional and Full are sold as products; support reads them


class Activation(StrEnum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"


class Product(Base):
    __tablename__ = "products"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(Text)
    cycles: Mapped[list[str]] = mapped_column(ARRAY(Text))
    activation: Mapped[str] = mapped_column(Text)
    driver: Mapped[str] = mapped_column(Text)
    driver_settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    upgrade_to: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)  # C-3: product codes
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Price(Base):
    """C-4: one price per product, cycle and currency, in minor units."""

    __tablename__ = "prices"

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    cycle: Mapped[str] = mapped_column(Text, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
