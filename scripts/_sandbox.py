"""The development sandbox's fixed ports and secrets, shared by devrun (which points the services at it) and
sandbox.py (which serves it). Local fakes only: never started when ABONO_ENVIRONMENT=production."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

HOST = "127.0.0.1"
PORTS = {  # override one with SANDBOX_<NAME>_PORT, e.g. SANDBOX_MAIL_PORT=9026
    "stripe": 8010,  # Stripe's API and its hosted Checkout page
    "mercadopago": 8011,  # MercadoPago's API and its hosted Checkout Pro page
    "whm": 8012,  # a cPanel/WHM server (the hosting products' panel)
    "provider": 8013,  # the generic HTTP driver's provider (streaming, mailer, site builder, VPS)
    "registrar": 8014,  # the domain registrar (ResellerClub's HTTP API, D-1..D-3)
    "paypal": 8015,  # PayPal's REST API (OAuth, Orders v2, captures, refunds, webhook verification), its approval page
    "pagos360": 8016,  # Pagos360's REST API (adhesions, debit and payment requests); /sandbox settles pending debits
    "nicar": 8017,  # NIC Argentina's RDAP for .ar names (#21); POST /tad/... plays staff's TAD steps
    "smtp": 8025,  # the mail catcher's SMTP server (notify sends here)
    "mail": 8026,  # the mail catcher's web page
}
STRIPE_KEY, STRIPE_WEBHOOK_SECRET = "sk_test_sandbox", "whsec_sandbox"
MERCADOPAGO_TOKEN, MERCADOPAGO_WEBHOOK_SECRET = "TEST-sandbox", "mercadopago-sandbox-secret"
PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET = "sandbox-paypal-client", "sandbox-paypal-secret"
PAYPAL_WEBHOOK_ID = "WH-SANDBOX"
PAGOS360_KEY, PAGOS360_WEBHOOK_TOKEN = "sandbox-pagos360-key", "sandbox-pagos360-token"
WHM_TOKEN = "SANDBOXWHMTOKEN"
PROVIDER_SECRET = "sandbox-provider-secret"
REGISTRAR_USERID, REGISTRAR_API_KEY = "123456", "sandbox-registrar-key"
# Catalog drivers that the generic HTTP driver speaks to (every seed driver but the WHM and staff-task ones).
HTTP_DRIVERS = ("registrar", "proxmox", "centova", "wowza", "mailer", "sitebuilder")


def port(name: str, environ: Mapping[str, str] = os.environ) -> int:
    return int(environ.get(f"SANDBOX_{name.upper()}_PORT", PORTS[name]))


def url(name: str, environ: Mapping[str, str] = os.environ) -> str:
    return f"http://{HOST}:{port(name, environ)}"


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Development and test only, and not switched off with ABONO_SANDBOX=false."""
    return (environ.get("ABONO_ENVIRONMENT", "development") != "production"
            and environ.get("ABONO_SANDBOX", "true").lower() not in ("0", "false", "no", "off"))


def service_env(environ: Mapping[str, str]) -> dict[str, str]:
    """What to add to the services' environment so they use the sandbox: only for what you have not configured
    yourself (a provider whose key is set, or servers you listed, are left alone)."""
    env: dict[str, str] = {}
    if not environ.get("BILLING_STRIPE_API_KEY"):
        env |= {"BILLING_STRIPE_API_KEY": STRIPE_KEY, "BILLING_STRIPE_API_URL": url("stripe", environ),
                "BILLING_STRIPE_WEBHOOK_SECRETS": json.dumps([STRIPE_WEBHOOK_SECRET])}
    if not environ.get("BILLING_MERCADOPAGO_ACCESS_TOKEN"):
        env |= {"BILLING_MERCADOPAGO_ACCESS_TOKEN": MERCADOPAGO_TOKEN,
                "BILLING_MERCADOPAGO_API_URL": url("mercadopago", environ),
                "BILLING_MERCADOPAGO_WEBHOOK_SECRET": MERCADOPAGO_WEBHOOK_SECRET}
    if not environ.get("BILLING_PAYPAL_CLIENT_ID"):
        env |= {"BILLING_PAYPAL_CLIENT_ID": PAYPAL_CLIENT_ID, "BILLING_PAYPAL_CLIENT_SECRET": PAYPAL_CLIENT_SECRET,
                "BILLING_PAYPAL_API_URL": url("paypal", environ), "BILLING_PAYPAL_WEBHOOK_ID": PAYPAL_WEBHOOK_ID}
    if not environ.get("BILLING_PAGOS360_API_KEY"):
        env |= {"BILLING_PAGOS360_API_KEY": PAGOS360_KEY, "BILLING_PAGOS360_API_URL": url("pagos360", environ),
                "BILLING_PAGOS360_WEBHOOK_TOKEN": PAGOS360_WEBHOOK_TOKEN}
    if not environ.get("PROVISIONING_WHM_SERVERS"):
        whm = {"url": url("whm", environ), "user": "root", "token": WHM_TOKEN, "verify_tls": False,
               "panel_url": f"{url('whm', environ)}/cpanel"}
        env |= {"PROVISIONING_WHM_SERVERS": json.dumps({"sandbox": whm})}
    if not environ.get("PROVISIONING_HTTP_ENDPOINTS"):
        endpoint = {"url": f"{url('provider', environ)}/provision", "secret": PROVIDER_SECRET}
        env |= {"PROVISIONING_HTTP_ENDPOINTS": json.dumps({name: endpoint for name in HTTP_DRIVERS})}
    if not environ.get("PROVISIONING_RESELLERCLUB"):
        registrar = {"url": f"{url('registrar', environ)}/api", "auth_userid": REGISTRAR_USERID,
                     "api_key": REGISTRAR_API_KEY}
        env |= {"PROVISIONING_RESELLERCLUB": json.dumps(registrar)}
    if not environ.get("PROVISIONING_NICAR"):
        env |= {"PROVISIONING_NICAR": json.dumps({"rdap_url": url("nicar", environ)})}
    if not environ.get("NOTIFY_SMTP_HOST") and not environ.get("NOTIFY_SMTP_PORT"):
        env |= {"NOTIFY_SMTP_HOST": HOST, "NOTIFY_SMTP_PORT": str(port("smtp", environ))}
    return env
