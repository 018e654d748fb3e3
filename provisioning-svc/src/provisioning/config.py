"""Provisioning settings (env `PROVISIONING_*`). Every number of DOMAIN.md's P-rules lives here, never in code."""

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from abono.settings import ServiceSettings
from provisioning.registrars.nicar import NicArgentinaSettings
from provisioning.registrars.resellerclub import ResellerClubSettings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_provisioning"
# Development only: refused when ABONO_ENVIRONMENT=production (make one with `Fernet.generate_key()`).
DEV_SECRET_KEY = "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZHVjdGk="


class WhmServer(BaseModel):
    """A cPanel/WHM server a product's `driver_settings.server` names (P-4)."""

    url: str  # WHM base URL, e.g. https://whm1.example.com:2087
    user: str = "root"
    token: SecretStr  # WHM API token: `Authorization: whm <user>:<token>`
    panel_url: str | None = None  # what the client opens (cPanel), shown as access data (P-7)
    timeout_seconds: float = 30.0
    verify_tls: bool = True


class HttpEndpoint(BaseModel):
    """A provider endpoint of the generic HTTP driver, named by `driver_settings.endpoint` (P-4)."""

    url: str
    secret: SecretStr  # HMAC-SHA256 key of the `X-Abono-Signature` header
    timeout_seconds: float = 30.0


class ProvisioningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROVISIONING_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8002
    # Issue 20: a renewal run's `InvoiceIssued` backlog goes through a set-based batch handler (a few statements a
    # transaction, whatever its size): one transaction at a time, each of a full prefetch (the bulk worker's CPU an
    # event 330 -> 200 us against four at once, which split it into transactions of a few dozen).
    consumer_bulk_max_transactions: int | None = Field(default=1, gt=0)
    # Issue 20: billing's urgent events (a payment's `InvoicePaid`) each start a transaction of their own while fewer
    # than `consumer_max_transactions` run, instead of waiting for the running one to commit.
    consumer_spread: int | None = Field(default=1, gt=0)

    # --- access data (P-7): Fernet keys; the first encrypts, all decrypt (rotate by prepending a new one) ---
    secret_keys: list[SecretStr] = [SecretStr(DEV_SECRET_KEY)]

    # --- drivers (P-4) ---
    # The catalog's driver names mapped to ours (whm, manual, http); any other name is a generic HTTP endpoint
    # of that name (`driver_settings.endpoint` overrides it).
    driver_aliases: dict[str, str] = {"cpanel": "whm", "staff-task": "manual"}
    whm_servers: dict[str, WhmServer] = {}
    whm_default_server: str | None = None  # when a product names no `server` (alone configured: that one)
    http_endpoints: dict[str, HttpEndpoint] = {}

    # --- the durable driver-action queue (P-4) ---
    run_action_worker: bool = True
    action_poll_seconds: float = 0.5  # how often the worker looks for due actions
    action_batch_size: int = 10  # actions claimed per pass
    action_retry_base_seconds: float = 5.0  # back-off after the first failure, doubled after each one ...
    action_retry_max_seconds: float = 3600.0  # ... up to this; a failing action is retried forever
    action_failing_after_attempts: int = 1  # failed attempts before an action shows in the operators' list

    # --- domains (D-1..D-3): the catalog's driver names that mean the registrar below ---
    registrar_drivers: list[str] = ["registrar", "resellerclub", "nic-ar"]
    resellerclub: ResellerClubSettings | None = None  # unset: domain actions fail visibly until configured
    # .ar names go to NIC Argentina (its RDAP; changes are staff steps in its TAD, due in these business days)
    nicar: NicArgentinaSettings | None = None  # unset: .ar actions and searches fail visibly until configured
    nicar_due_business_days: int = Field(default=2, ge=0)
    nicar_task_recheck_seconds: float = Field(default=300.0, gt=0)  # a step waiting for its TAD task looks again
    domain_provider_nameservers: list[str] = ["ns1.abono.example", "ns2.abono.example"]  # "use the provider's DNS"
    domain_search_tlds: list[str] = ["com", "net", "org", "info", "co", "com.co", "mx", "com.mx", "pe", "cl"]
    domain_suggestions: int = Field(default=6, ge=0, le=50)
    domain_availability_cache_seconds: float = 60.0  # availability answers are reused this long (D-1)
    domain_sync_hours: float = 24.0  # each domain's status and expiry are read from the registrar this often
    domain_transfer_sync_hours: float = 1.0  # ... and a transfer in progress this often
    domain_expiry_notice_days: list[int] = [30, 7, 1]  # D-2: the client is warned this many days before expiry
    domain_contact_recheck_hours: float = 24.0  # a registration waiting for the client's data looks again

    # --- manual products (P-3): business days to the deadline, by product code or else by kind (upper bounds of
    # the manual's ranges); a product's `driver_settings.due_business_days` overrides both ---
    manual_due_business_days: dict[str, int] = {
        "reseller_hosting": 2,
        "news_site": 2,
        "news_portal": 3,
        "chat_rooms": 2,
        "app-android-lite": 2,
        "mobile_apps": 40,
        "app-iphone": 40,
        "voice_overs": 7,
        "custom_site": 15,
        "support_plan": 1,  # S-3: staff switch the plan's channels on
    }
    manual_default_due_business_days: int = 5  # a manual product listed by neither code nor kind
    manual_followup_due_business_days: int = 1  # suspend/unsuspend/terminate/change tasks of manual products
    # --- hosting migrations (P-8): "we migrate everything" is due in these business days; the product kinds that may
    # receive one ---
    migration_due_business_days: int = Field(default=2, ge=0)
    migration_kinds: list[str] = ["shared_hosting", "reseller_hosting", "hosting"]
    # --- transfers (P-6): a request neither accepted nor cancelled expires after this many days ---
    transfer_expiry_days: int = Field(default=7, ge=1)

    calendar_timezone: str = "America/Argentina/Buenos_Aires"  # the provider's calendar
    holiday_country: str = "AR"

    @model_validator(mode="after")
    def _safe(self) -> "ProvisioningSettings":
        if self.platform.environment == "production" and any(
            k.get_secret_value() == DEV_SECRET_KEY for k in self.secret_keys
        ):
            raise ValueError("production needs PROVISIONING_SECRET_KEYS (the development key is refused)")
        if not self.secret_keys:
            raise ValueError("PROVISIONING_SECRET_KEYS needs at least one key")
        return self


def default_database_url() -> str:
    return ProvisioningSettings().database_url
