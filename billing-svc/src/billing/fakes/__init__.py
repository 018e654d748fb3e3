"""Local fakes of the payment providers' APIs (the endpoints billing calls, as the SDKs or PayPal's REST API speak
them), webhook requests signed as Stripe and MercadoPago sign them (PayPal's with its transmission headers), and
their hosted checkout pages for the development sandbox (`make run`) and the browser tests."""

from billing.fakes.checkout import WebhookTarget
from billing.fakes.mercadopago_api import FakeMercadoPago, mercadopago_request
from billing.fakes.paypal_api import FakePayPal, paypal_headers
from billing.fakes.stripe_api import FakeStripe, stripe_headers

__all__ = ["FakeMercadoPago", "FakePayPal", "FakeStripe", "WebhookTarget", "mercadopago_request", "paypal_headers",
           "stripe_headers"]
