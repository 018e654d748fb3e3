"""Issue 17 in the panel (S-5, S-8): a client searches the knowledge base (typed without accents, "facturacion"
finds "Facturación"), reads the article, then asks the help bot, which answers with the article; not solved, the
client hands off to a ticket that carries the conversation and opens it. Checked with axe-core in both languages and
photographed at 390 and 1280 px."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from tests.panel.test_pages import check
from tests.panel.test_support import new_client

if TYPE_CHECKING:
    from tests.panel.conftest import Panel


async def test_s5_s8_a_client_searches_the_kb_and_opens_a_ticket_from_the_bot(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    mark = uuid.uuid4().hex[:6]
    category = await gateway.put(
        f"/api/support/kb/categories/billing-{mark}",
        headers=admin_headers,
        json={"name_es": "Facturación", "name_en": "Billing"},
    )
    assert category.status_code == 200, category.text
    title = f"Facturación de sus servicios {mark}"
    article = await gateway.post(
        "/api/support/kb/articles",
        headers=admin_headers,
        json={
            "slug": f"facturacion-{mark}",
            "language": "es",
            "category": f"billing-{mark}",
            "title": title,
            "body_md": "## Cuándo llega la factura\n\nLa **facturación** es mensual; se paga desde *Facturas*.\n\n"
            "<script>alert(1)</script>",
        },
    )
    assert article.status_code == 201, article.text
    email, headers = await new_client(panel, gateway)

    page = await panel.person(width="phone")
    await panel.sign_in(page, email)
    await page.goto("/support")
    # The support page links to the help page; going there by address, not by a click that can land while the
    # page is still rendering its tickets (the click was then lost and the page stayed on Soporte).
    await expect(page.get_by_role("main").get_by_role("link", name="Ayuda")).to_have_attribute("href", "/help")
    # The main menu links to the help page and to the public status page too (closed on a phone, so by the DOM).
    menu = page.locator("#sidenav")
    await expect(menu.locator('a[href="/help"]')).to_contain_text("Ayuda")
    await expect(menu.locator('a[href="/status"]')).to_contain_text("Estado del servicio")
    await page.goto("/help")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ayuda")
    await page.get_by_role("searchbox", name="Buscar en la base de conocimiento").fill("facturacion")
    await page.get_by_role("button", name="Buscar", exact=True).click()
    hit = page.get_by_test_id("kb-hit").filter(has_text=title)
    await expect(hit).to_be_visible()
    await check(panel, page, "es-help-search")
    await hit.get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.get_by_role("heading", name="Cuándo llega la factura")).to_be_visible()
    assert await page.locator(".help-article script").count() == 0  # sanitised by support-svc
    await check(panel, page, "es-help-article")

    # The bot answers from the knowledge base; not solved, it opens a ticket with the conversation.
    await page.get_by_role("link", name="Volver a Ayuda").click()
    question = "¿Cuándo llega la facturación de mis servicios?"
    await page.get_by_label("Su pregunta").fill(question)
    await page.get_by_role("button", name="Preguntar").click()
    await expect(page.get_by_test_id("bot-turn")).to_have_count(2)
    await expect(page.get_by_test_id("bot-turn").nth(1).get_by_role("link", name=title)).to_be_visible()
    await expect(page.get_by_role("group", name="¿Esto resolvió su consulta?")).to_be_visible()
    await check(panel, page, "es-help-bot")
    await page.get_by_role("button", name="No, abrir un ticket").click()
    await expect(page.get_by_text("Abrimos un ticket con esta conversación")).to_be_visible()
    await page.get_by_role("link", name="Ver el ticket").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Cuándo llega la facturación")
    await expect(page.get_by_test_id("message").first).to_contain_text(question)
    await expect(page.get_by_test_id("message").first).to_contain_text(title)
    tickets = (await gateway.get("/api/support/tickets", headers=headers)).json()
    assert [t["channel"] for t in tickets] == ["bot"], tickets

    english = await panel.person(width="laptop", language="en")
    await panel.sign_in(english, email)
    await panel.speak_english(english)
    await english.goto("/help?q=facturasion")
    await expect(english.get_by_role("heading", level=1)).to_have_text("Help")
    await expect(english.get_by_test_id("kb-hit").filter(has_text=title)).to_be_visible()  # a typo still finds it
    await check(panel, english, "en-help-search")
    await english.get_by_label("Your question").fill("How do I pay?")
    await english.get_by_role("button", name="Ask").click()
    await expect(english.get_by_role("group", name="Did this solve your question?")).to_be_visible()
    await check(panel, english, "en-help-bot")
