"""The discount policy as configured (BILLING_DISCOUNT_*)."""

from billing.config import BillingSettings
from billing.discounts.engine import DiscountPolicy


def policy_from(settings: BillingSettings) -> DiscountPolicy:
    """B-12's numbers from the settings."""
    return DiscountPolicy(
        cycle_percent=settings.discount_cycle_percent,
        active_service_tiers=settings.discount_active_service_tiers,
        payment_method_percent=settings.discount_payment_method_percent,
        bundle_size=settings.discount_bundle_size,
        bundle_free=settings.discount_bundle_free,
        max_total_percent=settings.discount_max_total_percent,
    )
