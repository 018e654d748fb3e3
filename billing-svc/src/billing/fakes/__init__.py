"""Local fakes of the payment providers' APIs (the endpoints billing calls, as the SDKs or the REST APIs speak them),
webhook requests signed as Stripe and MercadoPago sign them (PayPal's with its transmission headers, Pagos360's with
the token of its registered URL), and their hosted checkout pages for the development sandbox (`make run`) and the
browser tests."""

from billing.fakes.checkout import WebhookTarget
from billing.fakes.mercadopago_api import FakeMercadoPago, mercadopago_request
from billing.fakes.pagos360_api import FakePagos360
from billing.fakes.paypal_api import FakePayPal, paypal_headers
from billing.fakes.stripe_api import FakeStripe, stripe_headers

__all__ = ["FakeMercadoPago", "FakePagos360", "FakePayPal", "FakeStripe", "WebhookTarget", "mercadopago_request",
           "paypal_headers", "stripe_headers"]
