"""The payment providers, keyed by provider id (the `method` a client pays with, the `/webhooks/<id>` path, the
first half of a payment key). Each is built once per app from settings; one without credentials is not offered.
Adding a provider is one module implementing `PaymentProvider` with a `from_settings`, and one line here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from billing.config import BillingSettings
from billing.payments.mercadopago_provider import MercadoPagoProvider
from billing.payments.pagos360_provider import Pagos360Provider
from billing.payments.paypal_provider import PayPalProvider
from billing.payments.provider import PaymentProvider
from billing.payments.stripe_provider import StripeProvider

PROVIDER_FACTORIES: dict[str, Callable[[BillingSettings], PaymentProvider | None]] = {
    "stripe": StripeProvider.from_settings,
    "mercadopago": MercadoPagoProvider.from_settings,
    "paypal": PayPalProvider.from_settings,
    "pagos360": Pagos360Provider.from_settings,
}
PROVIDER_IDS = tuple(PROVIDER_FACTORIES)


def build_providers(settings: BillingSettings) -> dict[str, PaymentProvider]:
    built = {name: factory(settings) for name, factory in PROVIDER_FACTORIES.items()}
    return {name: provider for name, provider in built.items() if provider is not None}


async def app_providers(request: Request) -> dict[str, PaymentProvider]:
    """The app's providers (`app.state.payment_providers`, built on first use). `async` though it never waits:
    FastAPI runs a plain `def` dependency in its thread pool, a thread hop on every request (issue 20)."""
    state = request.app.state
    if getattr(state, "payment_providers", None) is None:
        state.payment_providers = build_providers(state.settings)
    providers: dict[str, PaymentProvider] = state.payment_providers
    return providers


ProvidersDep = Annotated[dict[str, PaymentProvider], Depends(app_providers)]
