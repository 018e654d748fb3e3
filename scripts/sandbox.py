"""The development sandbox `make run` starts beside the services (issue 13 item 5), in one process:

- Stripe (SANDBOX_STRIPE_PORT 8010) and MercadoPago (8011): `billing.fakes`, the fakes the tests use, speaking the
  APIs billing calls, with their hosted checkout pages: "Pay" sends the provider's signed webhook to the gateway
  (ABONO_GATEWAY_URL/webhooks/<provider>) and returns the browser to the panel; "Decline" returns it to the cancel URL;
- PayPal (8015): `billing.fakes.FakePayPal`, its REST API (OAuth, Orders v2, captures, refunds,
  verify-webhook-signature) and its approval page: "Pay" approves the order, sends CHECKOUT.ORDER.APPROVED to the
  gateway and returns the browser to the panel with `token=<order id>`, where the panel captures it;
- Pagos360 (8016): `billing.fakes.FakePagos360`, adhesions (signed at once here), debit requests and payment
  requests; its page /sandbox collects or rejects pending debits, each sending its webhook (with the URL's token);
- a WHM server (8012) and a provider of the generic HTTP driver (8013): `provisioning.fakes`, so every seeded product
  can be ordered and activated;
- the domain registrar (8014): `provisioning.registrar_fake`, ResellerClub's HTTP API with an in-memory registry, so
  a domain can be searched, registered and managed from the panel (`google.com` and `tomado.com` are taken);
- NIC Argentina's RDAP for .ar names (8017): `provisioning.registrar_fake_nicar`; `POST /tad/register` (`renew`,
  `delegate`, `delete`) plays the step staff do in NIC's TAD before they complete the task;
- the mail catcher: SMTP on 8025 (notify sends there), its web page on 8026 (`notify.mailcatcher`).

Everything is in memory and starts empty. It refuses to run when ABONO_ENVIRONMENT=production.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Iterator

import _sandbox as sandbox
import uvicorn

from billing.fakes import FakeMercadoPago, FakePagos360, FakePayPal, FakeStripe, WebhookTarget
from notify.mailcatcher import MailCatcher
from provisioning.fakes import FakeProvider, FakeWhm
from provisioning.registrar_fake import FakeResellerClub
from provisioning.registrar_fake_nicar import FakeNicArgentina


class _Server(uvicorn.Server):
    """One of several servers in this process: the signals are ours (each server's own would replace the last)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def main() -> int:
    if not sandbox.enabled():
        print("sandbox: not started (ABONO_ENVIRONMENT=production or ABONO_SANDBOX=false)", file=sys.stderr)
        return 1
    gateway = os.environ.get("ABONO_GATEWAY_URL", "http://127.0.0.1:8000").rstrip("/")
    stripe = FakeStripe(public_url=sandbox.url("stripe"),
                        webhook=WebhookTarget(f"{gateway}/webhooks/stripe", sandbox.STRIPE_WEBHOOK_SECRET))
    mercadopago = FakeMercadoPago(public_url=sandbox.url("mercadopago"), webhook=WebhookTarget(
        f"{gateway}/webhooks/mercadopago", sandbox.MERCADOPAGO_WEBHOOK_SECRET))
    paypal = FakePayPal(client_id=sandbox.PAYPAL_CLIENT_ID, client_secret=sandbox.PAYPAL_CLIENT_SECRET,
                        webhook_id=sandbox.PAYPAL_WEBHOOK_ID, public_url=sandbox.url("paypal"),
                        webhook=WebhookTarget(f"{gateway}/webhooks/paypal", secret=""))  # signs as PayPal: no secret
    # Adhesions are signed at once here (a bank takes days); pending debits are collected or rejected at /sandbox.
    pagos360 = FakePagos360(api_key=sandbox.PAGOS360_KEY, public_url=sandbox.url("pagos360"), auto_sign=True,
                            webhook=WebhookTarget(f"{gateway}/webhooks/pagos360", sandbox.PAGOS360_WEBHOOK_TOKEN))
    catcher = MailCatcher()
    apps = {
        "stripe": stripe.app,
        "mercadopago": mercadopago.app,
        "paypal": paypal.app,
        "pagos360": pagos360.app,
        "whm": FakeWhm(token=sandbox.WHM_TOKEN).app(),
        "provider": FakeProvider(secret=sandbox.PROVIDER_SECRET).app(),
        "registrar": FakeResellerClub(auth_userid=sandbox.REGISTRAR_USERID, api_key=sandbox.REGISTRAR_API_KEY).app(),
        "nicar": FakeNicArgentina().app(),
        "mail": catcher.web(),
    }
    smtp = await catcher.serve_smtp(sandbox.HOST, sandbox.port("smtp"))
    servers = [
        _Server(uvicorn.Config(app, host=sandbox.HOST, port=sandbox.port(name), log_level="warning",
                                      lifespan="off"))
        for name, app in apps.items()
    ]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: [setattr(server, "should_exit", True) for server in servers])
    for name in apps:
        print(f"sandbox: {name} on {sandbox.url(name)}", flush=True)
    print(f"sandbox: mail catcher SMTP on {sandbox.HOST}:{sandbox.port('smtp')}", flush=True)
    try:
        await asyncio.gather(*(server.serve() for server in servers))
    finally:
        smtp.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
