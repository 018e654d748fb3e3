"""Wording without the outside world: money and dates per language, every template in both languages, link
rewriting, and which channels a notice goes to."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from abono.events import ClientProfile, ClientRegistered, InvoiceLineInfo
from abono.money import Money, MoneyModel
from notify.content.formatting import Formatter
from notify.content.notices import KINDS, NOTICES, Notice
from notify.content.rendering import Renderer, rewrite_links
from notify.messages.composer import plan_channels
from notify.messages.models import Channel


@pytest.mark.parametrize(("money", "es", "en"), [
    (Money(1500000, "CLP"), "CLP 1.500.000", "CLP 1,500,000"),
    (Money(123456789, "ARS"), "ARS 1.234.567,89", "ARS 1,234,567.89"),
    (Money(5, "USD"), "US$ 0,05", "US$ 0.05"),
    (Money(-150, "UYU"), "-UYU 1,50", "-UYU 1.50"),
])
def test_c4_money_shows_the_currency_own_decimals(money: Money, es: str, en: str) -> None:
    assert Formatter("es").money(money) == es
    assert Formatter("en").money(MoneyModel.of(money)) == en


def test_n1_dates_in_words_and_instants_in_provider_time() -> None:
    assert Formatter("es").date(date(2027, 1, 10)) == "10 de enero de 2027"
    assert Formatter("en").date(date(2027, 1, 10)) == "January 10, 2027"
    # 02:30 UTC is still the 9th in Buenos Aires (UTC-3).
    assert Formatter("es").datetime(datetime(2027, 1, 10, 2, 30, tzinfo=UTC)) == \
        "9 de enero de 2027, 23:30 (hora de Argentina)"


def _context() -> dict[str, Any]:
    total = MoneyModel(amount_minor=15000, currency="CLP")
    now = datetime(2027, 1, 1, 12, tzinfo=UTC)
    return {
        "name": "Ana <script>", "verify_path": "/verify-email?token=a&b=1", "expires_at": now,
        "reset_path": "/reset-password?token=a&b=1", "signin_path": "/sign-in", "forgot_path": "/forgot-password",
        "changed": ["name"], "changed_at": now, "number": "F-1", "total": total, "due_on": date(2027, 1, 10),
        "payment_reference": "REF", "lines": [InvoiceLineInfo(description="Hosting & dominio", amount=total)],
        "invoice_path": "/invoices/1", "days_before": 1, "paid_at": now, "service": "Hosting Plus",
        "service_path": "/services/1", "title": "Tienda", "valid_until": date(2027, 2, 1),
        "quote_path": "/support/tickets/1",
        "domain": "ejemplo.com.ar", "code": "K7QM4XZP2A", "subject": "Sitio caído", "body": "Ya está en línea.",
        "status": "answered", "resolution_due_at": now, "ticket_path": "/support/tickets/1", "starts_at": now,
        "lead": "day",
        "topic": "Configurar correo", "appointment_path": "/support/appointments",
        "stage": "opened", "server_label": "Servidor Web 1", "services": ["Hosting Plus", "Radio"],
        "message": "Investigamos.", "status_path": "/status", "product_name": "Hosting Plus", "month": date(2031, 4, 1),
        "uptime_percent": "99.861", "credit_percent": 10, "downtime_minutes": 60, "credit_path": "/credit",
        "votes": 4, "ideas_path": "/ideas", "method": "pagos360", "reason": "Fondos insuficientes",
        "action_needed": False, "next_attempt_on": date(2027, 1, 11),
        "sla_class": "SLA3", "plan": "full", "deadline": "first_response", "priority": "urgent", "assigned": False,
        "due_at": now, "client_path": "/staff/clients/1",
    }


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_n1_every_kind_has_its_templates_in_both_languages(kind: str, language: str) -> None:
    rendered = Renderer(panel_url="https://panel.test", company_name="Alto").render(
        kind, language, _context(), pixel_url="https://t.test/t/o/x.gif")
    assert rendered.subject and "None" not in rendered.subject
    assert "Ana <script>" in rendered.text and "Ana &lt;script&gt;" in rendered.html  # autoescaped HTML only
    assert "<script>" not in rendered.html and "https://t.test/t/o/x.gif" in rendered.html
    assert "None" not in rendered.text
    if kind not in ("email_verification", "password_reset", "account_exists"):
        assert rendered.whatsapp and rendered.whatsapp_params[0] == "Ana <script>"


def test_n1_every_n2_event_has_a_notice() -> None:
    names = {cls.__name__ for cls in NOTICES}
    assert names >= {"ClientRegistered", "PasswordChanged", "ClientUpdated", "InvoiceIssued", "InvoiceReminder",
                     "InvoiceCancelled", "InvoicePaid", "ServiceActivated", "ServiceSuspended", "ServiceReactivated",
                     "ServiceTerminated", "QuoteAvailable", "DomainDeleted", "IncidentClientAffected",
                     "SlaCreditDecided"}


def test_n3_links_are_rewritten_in_both_parts_but_not_the_pixel() -> None:
    html = '<a href="https://p.test/invoices/1?a=1&amp;b=2">x</a><a href="https://p.test">y</a><img src="https://t/o.gif">'
    text = "Pague aquí:\nhttps://p.test/invoices/1?a=1&b=2\nhttps://p.test\nhttps://other.test"
    seen: list[str] = []

    def tracked(url: str) -> str:
        seen.append(url)
        return f"https://t/c/{len(seen)}"

    new_html, new_text = rewrite_links(html, text, tracked)
    assert seen == ["https://p.test/invoices/1?a=1&b=2", "https://p.test"]
    assert 'href="https://t/c/1"' in new_html and 'href="https://t/c/2"' in new_html and "o.gif" in new_html
    assert new_text == "Pague aquí:\nhttps://t/c/1\nhttps://t/c/2\nhttps://other.test"


def _notice(marketing: bool = False) -> Notice:
    client_id = uuid.uuid4()
    event = ClientRegistered(client_id=client_id, profile=ClientProfile(email="a@b.test", name="A"))
    return Notice("welcome", client_id, event, marketing=marketing)


def _prefs(whatsapp: bool = False, marketing: bool = False) -> Any:
    return SimpleNamespace(whatsapp_opt_out=whatsapp, marketing_opt_out=marketing, language=None)


def test_n1_channels_email_always_whatsapp_with_phone_and_consent_panel_always() -> None:
    plan = plan_channels
    assert plan(_notice(), phone="+5491155550000", preference=None, whatsapp_enabled=True) == [
        Channel.EMAIL, Channel.WHATSAPP, Channel.PANEL]
    assert plan(_notice(), phone=None, preference=None, whatsapp_enabled=True) == [Channel.EMAIL, Channel.PANEL]
    assert plan(_notice(), phone="+549", preference=None, whatsapp_enabled=False) == [Channel.EMAIL, Channel.PANEL]
    # Opting out of WhatsApp or of marketing never stops a transactional e-mail.
    assert plan(_notice(), phone="+549", preference=_prefs(whatsapp=True, marketing=True),
                whatsapp_enabled=True) == [Channel.EMAIL, Channel.PANEL]
    # Marketing the client refused reaches only its panel.
    assert plan(_notice(marketing=True), phone="+549", preference=_prefs(marketing=True),
                whatsapp_enabled=True) == [Channel.PANEL]
