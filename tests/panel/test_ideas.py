"""Issue 17 in the panel (S-5): the ideas board. A client proposes an idea and votes for it; two other clients vote
through the API; a fourth votes in its own browser and the idea becomes `approved` (4 votes). Staff mark it planned,
then shipped, from the console, and the clients see its state. Checked with axe-core in both languages and
photographed at 390 and 1280 px."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from tests.panel.test_pages import check
from tests.panel.test_staff_console import staff_member

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"


async def a_client(panel: Panel, gateway: httpx.AsyncClient, who: str) -> tuple[str, dict[str, str]]:
    email = panel.new_email(who)
    signup = await gateway.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": f"{who.title()} Ruiz", "country": "AR"}
    )
    assert signup.status_code == 202, signup.text
    return email, await panel.platform.login(gateway, email, PASSWORD)


async def test_s5_a_client_proposes_an_idea_votes_and_the_fourth_vote_approves_it_staff_ship_it(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    title = f"Pagar con Bitcoin {uuid.uuid4().hex[:6]}"
    author, _ = await a_client(panel, gateway, "nora")
    page = await panel.person(width="phone")
    await panel.sign_in(page, author)
    await expect(page.locator('nav a[href="/ideas"]')).to_contain_text("Ideas")  # in the menu (folded on a phone)
    await page.goto("/ideas")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ideas")
    await page.get_by_label("Su idea, en una frase").fill(title)
    await page.get_by_label("Cuéntenos más (opcional)").fill("Muchos clientes del exterior lo usan.")
    await page.get_by_role("button", name="Publicar la idea").click()
    await expect(page.get_by_text("¡Gracias! Su idea ya está en el tablero.")).to_be_visible()
    idea = page.get_by_test_id("idea").filter(has_text=title)
    await expect(idea).to_contain_text("Su idea")
    await expect(idea.locator("[data-status]")).to_have_text("Abierta")
    await expect(idea.get_by_test_id("idea-votes")).to_have_text("0 votos")
    await idea.get_by_role("button", name=f"Votar «{title}»").click()
    await expect(idea.get_by_test_id("idea-votes")).to_have_text("1 voto")
    await expect(idea).to_contain_text("Ya votó")
    await expect(idea.get_by_role("button", name=f"Votar «{title}»")).to_have_count(0)  # once each
    await check(panel, page, "es-ideas")

    ideas = (await gateway.get("/api/support/ideas", params={"status": "open"}, headers=admin_headers)).json()
    [idea_id] = [i["id"] for i in ideas if i["title"] == title]
    for who in ("omar", "pia"):
        _, headers = await a_client(panel, gateway, who)
        voted = await gateway.post(f"/api/support/ideas/{idea_id}/vote", headers=headers)
        assert voted.status_code == 200, voted.text

    # The fourth voter, in English, sees the idea open with 3 votes; its vote approves it.
    fourth, _ = await a_client(panel, gateway, "quim")
    english = await panel.person(width="laptop", language="en")
    await panel.sign_in(english, fourth)
    await panel.speak_english(english)
    await english.goto("/ideas")
    await expect(english.get_by_role("heading", level=1)).to_have_text("Ideas")
    theirs = english.get_by_test_id("idea").filter(has_text=title)
    await expect(theirs.get_by_test_id("idea-votes")).to_have_text("3 votes")
    await theirs.get_by_role("button", name=f"Vote for “{title}”").click()
    await expect(theirs.locator("[data-status]")).to_have_text("Approved")
    await expect(theirs.get_by_test_id("idea-votes")).to_have_text("4 votes")
    await check(panel, english, "en-ideas")

    # Staff see it in the console and move it on: planned, then shipped.
    staff = await panel.person(width="laptop")
    await panel.sign_in(staff, await staff_member(panel, gateway, admin_headers))
    await staff.get_by_role("link", name="Ideas").click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Ideas de los clientes")
    row = staff.get_by_test_id("idea").filter(has_text=title)
    await expect(row.locator("[data-status]")).to_have_text("Aprobada")
    await row.get_by_role("button", name="Marcar planificada").click()
    await expect(row.locator("[data-status]")).to_have_text("Planificada")
    await check(panel, staff, "es-staff-ideas")
    await row.get_by_role("button", name="Marcar lanzada").click()
    await expect(row.locator("[data-status]")).to_have_text("Lanzada")
    await expect(row.get_by_role("button")).to_have_count(0)

    await page.reload()
    await page.get_by_label("Mostrar").select_option("shipped")
    await expect(page.get_by_test_id("idea").filter(has_text=title).locator("[data-status]")).to_have_text("Lanzada")
