"""Local fakes of the payment providers' APIs (the endpoints billing calls, as the SDKs speak them), webhook
requests signed exactly as Stripe and MercadoPago sign them, and their hosted checkout pages for the development
sandbox (`make run`) and the browser tests."""

from billing.fakes.checkout import WebhookTarget
from billing.fakes.mercadopago_api import FakeMercadoPago, mercadopago_request
from billing.fakes.stripe_api import FakeStripe, stripe_headers

__all__ = ["FakeMercadoPago", "FakeStripe", "WebhookTarget", "mercadopago_request", "stripe_headers"]
