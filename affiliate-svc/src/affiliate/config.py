"""Affiliate settings (env `AFFILIATE_*`). Every number of DOMAIN.md's F-rules lives here, never in code."""

from decimal import Decimal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from abono.settings import ServiceSettings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_affiliate"
# Development only (refused in production): encrypts bank details at rest; a Fernet key.
DEV_SECRET_KEY = "ZGV2LW9ubHktYWJvbm8tYWZmaWxpYXRlLWtleS0zMmI="


class AffiliateSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AFFILIATE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8005

    # --- F-1 referral link and attribution ---
    attribution_window_days: int = Field(default=90, ge=1)  # a sign-up this long after the visit is attributed
    signup_url: str = "/sign-up"  # where a visit is redirected (the panel's sign-up page), relative or absolute
    # A keyed hash of the visitor's IP is kept (never the address): the key, and how many sign-ups one affiliate
    # may get in a day before further ones are held for staff.
    ip_hash_key: SecretStr = SecretStr("dev-only-affiliate-ip-key")
    suspicious_signups_per_day: int = Field(default=5, ge=1)
    # E-mail domains many people share: two clients on one of them are not suspicious by that alone.
    public_email_domains: list[str] = [
        "gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "yahoo.com", "yahoo.com.ar",
        "icloud.com", "me.com", "protonmail.com", "proton.me", "aol.com", "gmx.com", "mail.com",
    ]

    # --- F-2 commissions ---
    commission_percent: Decimal = Decimal(10)  # of the paid invoice's total before credit
    commission_percent_by_kind: dict[str, Decimal] = {}  # per product kind (C-1), e.g. {"domain": "5"}
    holding_days: int = Field(default=30, ge=0)  # pending this long after the payment, then available
    maturing_interval_seconds: float = 60.0  # the maturing job's period; it also wakes when the test clock moves
    maturing_enabled: bool = True

    # --- F-3 withdrawals ---
    # Minimum bank withdrawal per currency, minor units: US$20 or its equivalent (a currency not listed: US$20's
    # figure is not converted, so such a currency cannot be withdrawn to a bank until one is set).
    withdrawal_minimum_minor: dict[str, int] = {
        "USD": 2_000, "ARS": 2_000_000, "UYU": 80_000, "COP": 8_000_000, "CLP": 19_000, "PEN": 7_500,
    }
    # Fernet keys for bank details at rest; the first encrypts, all decrypt (rotate by prepending a new one).
    secret_keys: list[SecretStr] = [SecretStr(DEV_SECRET_KEY)]
    calendar_timezone: str = "America/Argentina/Buenos_Aires"  # "one request per calendar month" in this zone

    @model_validator(mode="after")
    def _safe(self) -> "AffiliateSettings":
        if self.platform.environment == "production":
            if any(k.get_secret_value() == DEV_SECRET_KEY for k in self.secret_keys):
                raise ValueError("production needs AFFILIATE_SECRET_KEYS (the development key is refused)")
            if self.ip_hash_key.get_secret_value() == "dev-only-affiliate-ip-key":
                raise ValueError("production needs AFFILIATE_IP_HASH_KEY")
        if not self.secret_keys:
            raise ValueError("AFFILIATE_SECRET_KEYS needs at least one key")
        return self

    def percent_for(self, kind: str | None) -> Decimal:
        """F-2: the commission percentage of a product kind (the default where staff set none)."""
        if kind is not None and kind in self.commission_percent_by_kind:
            return self.commission_percent_by_kind[kind]
        return self.commission_percent


def default_database_url() -> str:
    return AffiliateSettings().database_url
