"""support-svc settings (`SUPPORT_*`). Every number of DOMAIN.md's S-rules lives here, never in code."""

from datetime import date, time, timedelta
from decimal import Decimal

from pydantic import Field, PositiveInt
from pydantic_settings import SettingsConfigDict

from abono.settings import ServiceSettings
from support.sla.calendar import BusinessHours
from support.sla.policy import Plan, SlaClass, SlaTargets
from support.status.downtime import CreditTier

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_support"


class SupportSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPORT_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8004

    # --- S-2 business hours (holidays: the `holidays` package's country, plus staff overrides in the database) ---
    calendar_timezone: str = "America/Argentina/Buenos_Aires"
    business_opens: time = time(10, 0)
    business_closes: time = time(17, 0)
    holiday_country: str = "AR"

    # --- S-3 targets ---
    first_response_minutes: dict[Plan, PositiveInt] = {Plan.STANDARD: 8 * 60, Plan.PROFESSIONAL: 2 * 60,
                                                      Plan.FULL: 15}
    sla3_first_response_cap_minutes: PositiveInt = 120
    resolution_hours: PositiveInt = 48
    warning_minutes: PositiveInt = 15
    # Catalog products that are support plans (billing sells them): product code → plan. A client holds the best
    # plan among its active services; every client has Standard.
    plan_products: dict[str, Plan] = {"support-professional": Plan.PROFESSIONAL, "support-full": Plan.FULL}
    # S-3: remote support comes with Professional (and so with Full).
    remote_support_plans: list[Plan] = [Plan.PROFESSIONAL, Plan.FULL]

    # --- S-1 attachments: checked by content (magic numbers), not by name ---
    attachment_max_bytes: PositiveInt = 4 * 1024 * 1024
    attachments_per_message: PositiveInt = 3
    # A message with its attachments is one JSON body (base64: 4/3 of the bytes); the gateway lets bodies this
    # large through on /api/support/tickets (GATEWAY_UPLOAD_PATH_PREFIXES).
    max_body_bytes: int = Field(default=18 * 1024 * 1024, gt=0)
    attachment_types: list[str] = ["image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain"]

    # --- S-1 other channels: e-mail to the support address (SMTP server run by the service), WhatsApp (from notify) ---
    inbound_sla_class: SlaClass = SlaClass.SLA1  # the class of a ticket opened by e-mail or WhatsApp
    mail_server_enabled: bool = False  # listen for mail to the support address (behind the provider's MX relay)
    mail_host: str = "127.0.0.1"
    mail_port: int = Field(default=2525, ge=0, le=65535)  # 0: a free port (tests)
    support_address: str = "soporte@abono.local"  # also soporte+<CODE>@... (plus addressing)
    mail_max_bytes: PositiveInt = 25 * 1024 * 1024  # SMTP SIZE: larger mail is refused at the door

    # --- the SLA scheduler (safe with replicas) ---
    run_scheduler: bool = True
    scheduler_poll_seconds: float = Field(default=5.0, gt=0)
    scheduler_batch_size: PositiveInt = 200

    # --- S-6 quotes ---
    quote_default_validity_days: PositiveInt = 15

    # --- S-7 appointments ---
    appointment_minutes: list[PositiveInt] = [30, 60]  # the lengths a client may book
    appointment_step_minutes: PositiveInt = 30  # slots start on this grid from the opening
    appointment_change_cutoff_hours: PositiveInt = 24  # cancel / reschedule up to this long before the start
    appointment_horizon_days: PositiveInt = 30  # how far ahead a slot may be booked
    appointment_desk: str = "remote"

    # --- S-4 status page: health probes (per server defaults; staff set each server's own) ---
    status_probe_interval_seconds: PositiveInt = 30
    status_probe_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    status_failures_to_open: PositiveInt = 3  # failed checks in a row that open an incident by themselves
    status_successes_to_resolve: PositiveInt = 1  # passing checks in a row that resolve the probe's incident
    status_resolved_days_shown: PositiveInt = 7  # resolved incidents stay on the public page this long
    # --- S-4 Decision: monthly SLA credits ---
    sla_credit_tiers: dict[Decimal, PositiveInt] = {Decimal("99.89"): 10, Decimal("99.0"): 25, Decimal("95.0"): 50}
    sla_maintenance_notice_hours: PositiveInt = 48  # maintenance announced this long before is not downtime
    sla_credited_statuses: list[str] = ["active"]  # the states of the services credited when the month is decided

    # --- S-5 ideas board ---
    idea_votes_to_approve: PositiveInt = 4

    # --- S-5 knowledge base ---
    kb_title_similarity: float = Field(default=0.45, gt=0, le=1)  # trigram word similarity that forgives a typo
    kb_search_results: PositiveInt = 10

    def credit_tiers(self) -> list[CreditTier]:
        return [CreditTier(below_percent=below, credit_percent=pct) for below, pct in self.sla_credit_tiers.items()]

    def targets(self) -> SlaTargets:
        return SlaTargets(
            first_response={plan: timedelta(minutes=m) for plan, m in self.first_response_minutes.items()},
            sla3_first_response_cap=timedelta(minutes=self.sla3_first_response_cap_minutes),
            resolution=timedelta(hours=self.resolution_hours),
            warning_before=timedelta(minutes=self.warning_minutes),
        )

    def business_hours(self, *, days_off: frozenset[date] = frozenset(),
                       working_days: frozenset[date] = frozenset()) -> BusinessHours:
        return BusinessHours(timezone=self.calendar_timezone, opens=self.business_opens, closes=self.business_closes,
                             country=self.holiday_country, days_off=days_off,
                             working_days=working_days)


def default_database_url() -> str:
    return SupportSettings().database_url
