"""The configured providers, built once per app from settings (a provider without credentials is not offered)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from billing.config import BillingSettings
from billing.payments.mercadopago_provider import MercadoPagoProvider
from billing.payments.provider import PaymentProvider
from billing.payments.stripe_provider import StripeProvider


def build_providers(settings: BillingSettings) -> dict[str, PaymentProvider]:
    providers: dict[str, PaymentProvider] = {}
    if settings.stripe_api_key:
        providers["stripe"] = StripeProvider(api_key=settings.stripe_api_key, api_url=settings.stripe_api_url,
                                             return_url=settings.payments_public_url)
    if settings.mercadopago_access_token:
        providers["mercadopago"] = MercadoPagoProvider(access_token=settings.mercadopago_access_token,
                                                       api_url=settings.mercadopago_api_url,
                                                       return_url=settings.payments_public_url)
    return providers


def app_providers(request: Request) -> dict[str, PaymentProvider]:
    """The app's providers (`app.state.payment_providers`, built on first use)."""
    state = request.app.state
    if getattr(state, "payment_providers", None) is None:
        state.payment_providers = build_providers(state.settings)
    providers: dict[str, PaymentProvider] = state.payment_providers
    return providers


ProvidersDep = Annotated[dict[str, PaymentProvider], Depends(app_providers)]
