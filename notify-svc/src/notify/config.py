"""notify-svc settings (`NOTIFY_*`), on top of the platform's `ABONO_*`. Every number here is a default."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from abono.settings import ServiceSettings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_notify"
LANGUAGES = ("es", "en")


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8003

    # Language of a client that has none we know (N-1: Spanish first).
    default_language: Literal["es", "en"] = "es"
    # The provider's name, as messages sign.
    company_name: str = "Abono"
    # Public URL of the client panel: invoice, quote and verification links point there (default: the gateway).
    panel_url: str | None = None
    # Public URL under which notify's tracking routes are reached (default: `<gateway>/api/notify`).
    tracking_url: str | None = None

    # --- e-mail (SMTP) ---
    smtp_host: str = "127.0.0.1"
    smtp_port: PositiveInt = 25
    smtp_starttls: bool = False  # upgrade a plain connection with STARTTLS (required, not opportunistic)
    smtp_implicit_tls: bool = False  # TLS from the first byte (port 465); excludes STARTTLS
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_ca_file: Path | None = None  # extra CA bundle to verify the server (private relays)
    smtp_validate_certs: bool = True
    smtp_timeout_seconds: float = Field(default=15.0, gt=0)
    # Throughput (issue 20 item 3): mails go out on up to this many reused connections at once, at most this many a
    # second on average (the relay's or provider's limit; a burst of one connection's worth each is allowed).
    smtp_connections: PositiveInt = 4
    smtp_rate_per_second: float = Field(default=100.0, gt=0)
    mail_from: str = "Abono <no-reply@abono.local>"
    mail_reply_to: str | None = None

    # --- WhatsApp Cloud API ---  (the channel exists only when the token and phone number id are set)
    whatsapp_api_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v21.0"
    whatsapp_phone_number_id: str | None = None
    whatsapp_access_token: SecretStr | None = None
    # "template": approved templates named `<prefix><kind>` (what Meta requires outside the 24 h window);
    # "text": free-form text messages.
    whatsapp_message_mode: Literal["template", "text"] = "template"
    whatsapp_template_prefix: str = "abono_"
    whatsapp_timeout_seconds: float = Field(default=15.0, gt=0)
    # Calls in flight at once on one shared HTTP client (kept-alive connections), and calls a second at most
    # (the Cloud API's default throughput is 80 messages a second per phone number).
    whatsapp_connections: PositiveInt = 8
    whatsapp_rate_per_second: float = Field(default=50.0, gt=0)
    # Webhook: the token Meta echoes in the GET handshake, and the app secret that signs each POST.
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None

    # --- the sender worker ---
    sender_poll_seconds: float = Field(default=1.0, gt=0)
    # Messages claimed and in flight at most; more are claimed (urgent ones first) once half of them are settled.
    sender_batch_size: PositiveInt = 64
    # A claimed message not settled within this time (a crashed replica) is claimed again.
    sender_lease_seconds: float = Field(default=120.0, gt=0)
    # Attempts per message before it is marked failed; back-off between them: base * factor^(n-1), capped.
    send_max_attempts: PositiveInt = 6
    send_retry_base_seconds: float = Field(default=30.0, gt=0)
    send_retry_factor: float = Field(default=4.0, ge=1)
    send_retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)

    @model_validator(mode="after")
    def _tls_choice(self) -> NotifySettings:
        if self.smtp_starttls and self.smtp_implicit_tls:
            raise ValueError("set NOTIFY_SMTP_STARTTLS or NOTIFY_SMTP_IMPLICIT_TLS, not both")
        return self

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_phone_number_id and self.whatsapp_access_token)

    def public_panel_url(self) -> str:
        return (self.panel_url or self.platform.gateway_url).rstrip("/")

    def public_tracking_url(self) -> str:
        return (self.tracking_url or f"{self.platform.gateway_url.rstrip('/')}/api/notify").rstrip("/")


def default_database_url() -> str:
    return NotifySettings().database_url
