"""Issue 13 item 5: the development sandbox (`scripts/sandbox.py`, started by `make run`): it serves the providers'
fakes and the mail catcher on their ports, billing, provisioning and notify are pointed at it only for what is not
configured, and nothing of it runs when ABONO_ENVIRONMENT=production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
import pytest

from abono.testing import free_port, wait_for
from billing.catalog.seed_data import SEED_PRODUCTS
from provisioning.business_calendar import BusinessCalendar
from provisioning.config import ProvisioningSettings
from provisioning.drivers.registry import DriverRegistry

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))
import _sandbox  # noqa: E402 - a script module, importable once its folder is on the path
import devrun  # noqa: E402


def test_the_sandbox_never_runs_in_production() -> None:
    assert _sandbox.enabled({"ABONO_ENVIRONMENT": "development"})
    assert _sandbox.enabled({})
    assert not _sandbox.enabled({"ABONO_ENVIRONMENT": "production"})
    assert not _sandbox.enabled({"ABONO_SANDBOX": "false"})
    env = {**os.environ, "ABONO_ENVIRONMENT": "production"}
    refused = subprocess.run([sys.executable, str(SCRIPTS / "sandbox.py")], env=env, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == 1 and "not started" in refused.stderr


def test_services_use_the_sandbox_only_for_what_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(("BILLING_", "PROVISIONING_", "NOTIFY_", "ABONO_", "SANDBOX_")):
            monkeypatch.delenv(key)
    env = devrun.child_env([])
    assert env["BILLING_STRIPE_API_URL"] == "http://127.0.0.1:8010"
    assert json.loads(env["BILLING_STRIPE_WEBHOOK_SECRETS"]) == [_sandbox.STRIPE_WEBHOOK_SECRET]
    assert env["BILLING_MERCADOPAGO_API_URL"] == "http://127.0.0.1:8011"
    assert env["BILLING_PAYPAL_API_URL"] == "http://127.0.0.1:8015"
    assert env["BILLING_PAYPAL_WEBHOOK_ID"] == _sandbox.PAYPAL_WEBHOOK_ID
    assert env["BILLING_PAGOS360_API_URL"] == "http://127.0.0.1:8016"  # #15 item 3: direct debit
    assert env["BILLING_PAGOS360_WEBHOOK_TOKEN"] == _sandbox.PAGOS360_WEBHOOK_TOKEN
    assert json.loads(env["PROVISIONING_WHM_SERVERS"])["sandbox"]["url"] == "http://127.0.0.1:8012"
    assert set(json.loads(env["PROVISIONING_HTTP_ENDPOINTS"])) >= {"registrar", "centova", "mailer"}
    assert json.loads(env["PROVISIONING_NICAR"]) == {"rdap_url": "http://127.0.0.1:8017"}  # .ar: NIC's RDAP (#21)
    assert env["NOTIFY_SMTP_PORT"] == "8025"
    registrar = json.loads(env["PROVISIONING_RESELLERCLUB"])  # D-1..D-3: domains go to the sandbox's ResellerClub
    assert registrar["url"] == "http://127.0.0.1:8014/api" and registrar["api_key"] == _sandbox.REGISTRAR_API_KEY

    monkeypatch.setenv("BILLING_STRIPE_API_KEY", "sk_live_mine")
    monkeypatch.setenv("NOTIFY_SMTP_HOST", "smtp.example.com")
    mine = devrun.child_env([])
    assert "BILLING_STRIPE_API_URL" not in mine and "NOTIFY_SMTP_PORT" not in mine
    assert mine["BILLING_MERCADOPAGO_API_URL"] == "http://127.0.0.1:8011"  # still not configured: the sandbox's

    monkeypatch.setenv("ABONO_ENVIRONMENT", "production")
    monkeypatch.delenv("BILLING_STRIPE_API_KEY")
    production = devrun.child_env([])
    assert not any(key in production for key in ("BILLING_STRIPE_API_URL", "PROVISIONING_WHM_SERVERS",
                                                  "PROVISIONING_RESELLERCLUB", "NOTIFY_SMTP_PORT", "PROVISIONING_NICAR",
                                                  "BILLING_MERCADOPAGO_API_URL", "BILLING_PAYPAL_API_URL"))


@pytest.fixture
def sandbox_ports() -> Iterator[dict[str, int]]:
    ports = {name: free_port() for name in _sandbox.PORTS}
    env = {**os.environ, "ABONO_ENVIRONMENT": "development", "ABONO_GATEWAY_URL": "http://127.0.0.1:9",
           **{f"SANDBOX_{name.upper()}_PORT": str(port) for name, port in ports.items()}}
    proc = subprocess.Popen([sys.executable, str(SCRIPTS / "sandbox.py")], env=env)
    try:
        yield ports
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0  # stops cleanly on SIGTERM


async def test_the_sandbox_serves_the_fakes_and_catches_mail(sandbox_ports: dict[str, int]) -> None:
    base = {name: f"http://127.0.0.1:{port}" for name, port in sandbox_ports.items()}
    async with httpx.AsyncClient(timeout=5) as http:

        async def up() -> bool:
            try:
                return (await http.get(f"{base['mail']}/readyz")).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_for(up, within=30, what="the sandbox to listen")
        session = await http.post(
            f"{base['stripe']}/v1/checkout/sessions", headers={"Authorization": "Bearer sk_test_sandbox"},
            data={"mode": "payment", "line_items[0][price_data][unit_amount]": "1234",
                  "line_items[0][price_data][currency]": "usd", "success_url": "http://panel.test/ok",
                  "cancel_url": "http://panel.test/no"},
        )
        checkout = session.json()["url"]
        assert checkout.startswith(base["stripe"] + "/pay/")
        page = await http.get(checkout)
        assert "12.34 USD" in page.text and ">Pay<" in page.text and ">Decline<" in page.text
        declined = await http.post(f"{checkout}/decline")
        assert declined.status_code == 303 and declined.headers["location"] == "http://panel.test/no"
        credentials = (_sandbox.PAYPAL_CLIENT_ID, _sandbox.PAYPAL_CLIENT_SECRET)
        granted = await http.post(f"{base['paypal']}/v1/oauth2/token", data={"grant_type": "client_credentials"},
                                  auth=credentials)
        bearer = {"Authorization": f"Bearer {granted.json()['access_token']}"}
        unit = {"description": "Factura F-1", "amount": {"currency_code": "USD", "value": "12.34"}}
        context = {"return_url": "http://panel.test/ok", "cancel_url": "http://panel.test/no"}
        order = (await http.post(f"{base['paypal']}/v2/checkout/orders", headers=bearer, json={
            "intent": "CAPTURE", "purchase_units": [unit],
            "payment_source": {"paypal": {"experience_context": context}}})).json()
        approval = next(link["href"] for link in order["links"] if link["rel"] == "payer-action")
        assert approval.startswith(base["paypal"] + "/checkoutnow?token=")
        page = await http.get(approval)
        assert "12.34 USD" in page.text and "PayPal" in page.text and ">Pay<" in page.text
        declined = await http.post(f"{base['paypal']}/checkoutnow/decline?token={order['id']}")
        assert declined.status_code == 303 and declined.headers["location"] == f"http://panel.test/no?token={order['id']}"
        p360 = {"Authorization": f"Bearer {_sandbox.PAGOS360_KEY}"}
        adhesion = await http.post(f"{base['pagos360']}/card-adhesion", headers=p360, json={"card_adhesion": {
            "adhesion_holder_name": "Ana", "email": "a@b.test", "description": "Débito", "external_reference": "m-1",
            "card_number": "4507990000004905", "card_holder_name": "Ana"}})
        assert adhesion.status_code == 201 and adhesion.json()["state"] == "signed"  # signed at once in the sandbox
        debit = await http.post(f"{base['pagos360']}/card-debit-request", headers=p360, json={"card_debit_request": {
            "card_adhesion": adhesion.json()["id"], "amount": 1234.5, "month": 5, "year": 2032,
            "external_reference": "REF-1"}})
        assert debit.status_code == 201 and debit.json()["state"] == "pending"
        listed = await http.get(f"{base['pagos360']}/sandbox")
        assert f"card-debit-request-{debit.json()['id']}" in listed.text and "Cobrar" in listed.text
        whm = await http.get(f"{base['whm']}/json-api/accountsummary", params={"api.version": "1", "user": "x"},
                             headers={"Authorization": f"whm root:{_sandbox.WHM_TOKEN}"})
        assert whm.json()["metadata"]["result"] == 0
        free = await http.get(f"{base['registrar']}/api/domains/available.json", params={
            "auth-userid": _sandbox.REGISTRAR_USERID, "api-key": _sandbox.REGISTRAR_API_KEY,
            "domain-name": "mi-sitio", "tlds": ["com"]})
        assert free.status_code == 200 and free.json()["mi-sitio.com"]["status"] == "available", free.text

        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "no-reply@abono.test", "dev@example.test", "Probando"
        mail.set_content("http://127.0.0.1:8000/verify-email?token=abc")
        await aiosmtplib.send(mail, hostname="127.0.0.1", port=sandbox_ports["smtp"])
        caught = (await http.get(f"{base['mail']}/messages.json")).json()
        assert caught[0]["subject"] == "Probando"
        assert caught[0]["links"] == ["http://127.0.0.1:8000/verify-email?token=abc"]


def test_p4_every_seeded_product_can_run_in_the_development_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """#19 item 3: `make run` configures a server, endpoint or registrar for every driver the seeded catalog names."""
    for key in list(os.environ):
        if key.startswith(("PROVISIONING_", "SANDBOX_")):
            monkeypatch.delenv(key)
    for key, value in _sandbox.service_env({}).items():
        if key.startswith("PROVISIONING_"):
            monkeypatch.setenv(key, value)
    settings = ProvisioningSettings(database_url="postgresql+asyncpg://unused/unused")
    registry = DriverRegistry(settings, BusinessCalendar(country="AR", timezone="America/Argentina/Buenos_Aires"))
    problems = {p.code: registry.configuration_problem(p.driver, p.driver_settings) for p in SEED_PRODUCTS}
    assert {code: problem for code, problem in problems.items() if problem is not None} == {}
    assert len(problems) == len(SEED_PRODUCTS) > 10
