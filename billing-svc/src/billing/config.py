"""Billing settings (env `BILLING_*`). Every number of DOMAIN.md's billing rules lives here, never in code."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from abono.settings import ServiceSettings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_billing"


CurrencyCode = Annotated[str, Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")]
# ISO 3166 alpha-2, or "*": any other country
CountryOrAny = Annotated[str, Field(min_length=1, max_length=2, pattern=r"^([A-Z]{2}|\*)$")]


class TransferInstruction(BaseModel):
    """Where a client transfers money in a currency from a country (B-19): shown with the payment reference."""

    model_config = ConfigDict(extra="forbid")

    currency: CurrencyCode
    country: CountryOrAny = "*"
    bank_name: str = Field(min_length=1, max_length=120)
    account_holder: str = Field(min_length=1, max_length=120)
    account_number: str = Field(min_length=1, max_length=60)  # CBU, IBAN, account number
    alias: str = Field(default="", max_length=60)
    swift: str = Field(default="", max_length=11)
    holder_tax_id: str = Field(default="", max_length=40)
    notes: str = Field(default="", max_length=1000)


class BillingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8001

    # --- invoices (B-2, B-19) ---
    renewal_lead_days: int = 15  # B-2: renewal invoice issued this many days before the due date
    # Issue 20: the renewal run waits before each chunk while a payment is in progress (a webhook not processed, an
    # urgent event not published), at most this long each time (0: it never waits). `billing.renewals.pacing`: it
    # goes on at the first moment nothing is pending, so the cap only binds while payments queue.
    renewal_yield_max_seconds: float = Field(default=5.0, ge=0)
    order_invoice_due_days: int = 0  # an order's first invoice falls due this many days after the order
    invoice_number_prefix: str = "F"
    payment_reference_length: int = Field(default=10, ge=8, le=20)

    # --- dunning (B-3..B-6) ---
    reminder_days_before: list[int] = [10, 5, 1]  # B-3
    suspend_after_days: int = 2  # B-4
    suspend_all_after_business_days: int = 5  # B-5
    terminate_after_days: int = 25  # B-6
    # B-21 auto-pay: a renewal invoice of an auto-pay client is charged this many days before its due date (0: on
    # it), then retried this many days after that first charge (each on or before the B-4 day), each attempt once.
    autopay_days_before: int = 0
    autopay_retry_days: list[int] = [1, 2]
    calendar_timezone: str = "America/Argentina/Buenos_Aires"  # the provider's calendar (dates, business days)
    holiday_country: str = "AR"
    # B-6: restoration fee per currency, minor units (US$100; other currencies only where configured).
    restoration_fee_minor: dict[str, int] = {"USD": 10_000}

    # --- payments (B-8) ---
    stretch_cycle_after_suspension: bool = True  # B-8: reactivation moves the next cycle one step longer

    # --- discounts (B-12, B-13): percentages as decimal strings ---
    discount_cycle_percent: dict[str, Decimal] = {
        "semiannual": Decimal(6), "annual": Decimal(20), "biennial": Decimal(33),
    }
    # (minimum number of the client's active services, percent), any order.
    discount_active_service_tiers: list[tuple[int, Decimal]] = [
        (3, Decimal(10)), (5, Decimal(25)), (10, Decimal(40)), (30, Decimal(50)),
    ]
    discount_payment_method_percent: dict[str, Decimal] = {"zelle": Decimal(10)}
    discount_bundle_size: int = 5  # every this many identical services ordered together ...
    discount_bundle_free: int = 1  # ... this many are free
    discount_max_total_percent: Decimal | None = None  # cap on the summed percentages (None: no cap)

    # --- changes (B-11, B-15) ---
    cycle_change_min_days_before: int = 5  # B-11
    upgrade_invoice_valid_days: int = 7  # B-14: an upgrade invoice unpaid this long after its due date is cancelled
    refund_window_days: int = 30  # B-15
    non_refundable_kinds: list[str] = ["domain", "mobile_apps", "audio_streaming", "video_streaming"]

    # --- payment providers (B-19, B-20; issue #4) ---
    stripe_api_key: str = ""  # empty: Stripe is not offered
    stripe_api_url: str = "https://api.stripe.com"  # a local fake in tests
    stripe_webhook_secrets: list[str] = []  # every secret accepted (several during a rotation)
    mercadopago_access_token: str = ""  # empty: MercadoPago is not offered
    mercadopago_api_url: str = "https://api.mercadopago.com"  # a local fake in tests
    mercadopago_webhook_secret: str = ""
    paypal_client_id: str = ""  # empty: PayPal is not offered (REST app credentials, OAuth client_credentials)
    paypal_client_secret: str = ""
    paypal_api_url: str = "https://api-m.paypal.com"  # https://api-m.sandbox.paypal.com for a trial; a fake in tests
    paypal_webhook_id: str = ""  # the webhook's id at PayPal: verify-webhook-signature checks events were sent to it
    pagos360_api_key: str = ""  # empty: Pagos360 (direct debit, payment requests) is not offered
    pagos360_api_url: str = "https://api.pagos360.com"  # https://api.sandbox.pagos360.com for a trial; a fake in tests
    pagos360_webhook_token: str = ""  # secret in the webhook URL registered at Pagos360 (/webhooks/pagos360?token=)
    webhook_tolerance_seconds: int = 300  # a signature's timestamp may be this far in the past or the future
    payments_public_url: str = "http://127.0.0.1:8000"  # where the client returns after paying (the panel)
    # B-20: methods offered per client country ("*": any other) and currencies each method refuses.
    payment_methods_by_country: dict[str, list[str]] = {
        "AR": ["mercadopago", "stripe", "transfer"], "*": ["stripe", "transfer", "paypal"]}
    payment_method_refused_currencies: dict[str, list[str]] = {"paypal": ["UYU", "PYG", "VES"]}
    # B-20: minimum amount per method and currency, minor units (a currency not listed: no minimum).
    payment_min_amount_minor: dict[str, dict[str, int]] = {
        "stripe": {"USD": 50, "ARS": 5_000, "UYU": 2_000, "COP": 200_000, "CLP": 500, "PEN": 200},
        "mercadopago": {"ARS": 100}, "paypal": {"USD": 100},
    }
    payment_methods_implemented: list[str] = ["stripe", "mercadopago", "paypal", "pagos360", "transfer"]
    # --- direct debit (B-21; issue #15 item 3): mandates (adhesiones) and a debit request per renewal invoice ---
    direct_debit_provider: str = "pagos360"  # the provider id whose mandates are offered (it must take mandates)
    direct_debit_currencies: list[str] = ["ARS"]  # B-20: accounts in these currencies may sign a mandate
    direct_debit_invoice_kinds: list[str] = ["renewal"]  # invoices debited by themselves
    direct_debit_lead_days: int = Field(default=3, ge=0)  # debited on the due date, at least this many days ahead
    direct_debit_retry_seconds: int = Field(default=300, ge=1)  # a debit request not answered is retried after this
    payments_worker_enabled: bool = True  # the webhook sweep and the reconciliation loop
    webhook_retry_seconds: int = 30  # a stored event not processed this long after its last try is tried again
    # Issue 20 (`billing.payments.webhook_lane`), per process: stored webhooks' processing transactions at once, below
    # the write pool (`db_pool_size`, 10) so a burst of payments queues in memory, not in the pool's overflow; and
    # new webhooks' provider reads (F-1's card read ...) at once, made before the transaction. Others wait in order.
    webhook_concurrency: int = Field(default=8, ge=1, le=64)
    webhook_read_concurrency: int = Field(default=16, ge=1, le=256)
    # At a stop, how long the lane's webhooks may still take; those cut short are due for the sweep at once.
    webhook_drain_seconds: float = Field(default=10.0, ge=0, le=25)
    # How often providers are asked about open payment attempts; the first question one interval after it opened.
    reconciliation_interval_seconds: int = 300
    reconciliation_max_age_days: int = 7  # attempts older than this are no longer asked about

    # --- who invoices, and where transfers go (B-19); operators change them in the staff console ---
    seller_name: str = "Abono"
    seller_address: str = ""
    seller_tax_id: str = ""
    seller_logo_url: str = ""  # https:// or a data:image/... URL; empty: no logo
    transfer_instructions: list[TransferInstruction] = []
    # Business settings stored by the console (billing.business_settings) are re-read at most this often per replica.
    business_settings_cache_seconds: float = Field(default=5.0, ge=0, le=300)

    # --- referral free month and 2x1 (B-12, F-4; billing.promos) ---
    referral_enabled: bool = True
    referral_free_months: int = Field(default=1, ge=0)  # months of credit per referred friend who pays
    two_for_one_enabled: bool = True
    two_for_one_window_days: int = Field(default=7, ge=0)  # the two orders at most this many days apart

    # --- scheduler ---
    scheduler_enabled: bool = True
    scheduler_interval_seconds: int = 60  # periodic run; it also wakes when the test clock moves


def default_database_url() -> str:
    return BillingSettings().database_url
