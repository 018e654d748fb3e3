"""B-20: which payment methods a client may use (country, currency) and each provider's minimum amount."""

from __future__ import annotations

from abono.errors import InvalidInput
from abono.money import Money
from billing.config import BillingSettings

# Methods paid without a provider (staff confirm them); every other method needs its provider configured.
OFFLINE_METHODS = ("transfer",)
# B-20: what the provider's manual tells a client whose account is in a currency the method refuses.
SWITCH_CURRENCY_TO = "USD"


class CurrencyRefused(InvalidInput):
    """B-20: the method refuses accounts in the invoice's currency (PayPal: UYU, PYG, VES)."""

    code, title = "currency-refused", "The payment method refuses this currency"


def allowed_methods(*, settings: BillingSettings, country: str | None, currency: str) -> list[str]:
    """The methods offered to a client of `country` for an invoice in `currency` (B-20: PayPal refuses UYU/PYG/VES)."""
    table = settings.payment_methods_by_country
    offered = table.get((country or "").upper(), table.get("*", []))
    return [m for m in offered if currency not in settings.payment_method_refused_currencies.get(m, [])]


def refused_by_currency(*, settings: BillingSettings, country: str | None, currency: str) -> list[str]:
    """B-20: methods the client's country offers that refuse `currency` (PayPal: UYU, PYG, VES)."""
    table = settings.payment_methods_by_country
    offered = table.get((country or "").upper(), table.get("*", []))
    return [m for m in offered if currency in settings.payment_method_refused_currencies.get(m, [])]


def minimum(*, settings: BillingSettings, method: str, currency: str) -> Money | None:
    """B-20: the provider's minimum amount in `currency`, if any."""
    amount = settings.payment_min_amount_minor.get(method, {}).get(currency)
    return Money(amount, currency) if amount is not None else None


def check_method(*, settings: BillingSettings, method: str, country: str | None, amount: Money) -> None:
    """Refuse a method the client may not use for this amount (B-20); raises `InvalidInput`."""
    allowed = allowed_methods(settings=settings, country=country, currency=amount.currency)
    if amount.currency in settings.payment_method_refused_currencies.get(method, []):
        raise CurrencyRefused(
            f"{method} does not accept accounts in {amount.currency}. Ask support to switch your account to "
            f"{SWITCH_CURRENCY_TO} and pay with {method} then, or pay now with: {', '.join(allowed) or 'none'}.",
            allowed=allowed, currency=amount.currency, switch_to=SWITCH_CURRENCY_TO)
    if method not in allowed:
        raise InvalidInput(f"Method {method!r} is not available for {amount.currency} in this country "
                           f"(allowed: {', '.join(allowed) or 'none'}).", allowed=allowed)
    if method not in settings.payment_methods_implemented:
        raise InvalidInput(f"Method {method!r} is not offered yet.", allowed=allowed)
    least = minimum(settings=settings, method=method, currency=amount.currency)
    if least is not None and amount < least:
        raise InvalidInput(f"{method} accepts at least {least}; this invoice is {amount}.")
