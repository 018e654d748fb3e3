"""Issue 17 in the panel (S-5): a client's search finds nothing, so staff see it in the console's list of searches
that found nothing and write the article from it: a category, a draft in Markdown that clients cannot find yet, then
the edit that publishes it: the client's same search finds it, rendered, and so does browsing its topic on /help.
Checked with axe-core in both languages and photographed at 390 and 1280 px."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from tests.panel.test_pages import check
from tests.panel.test_staff_console import staff_member
from tests.panel.test_support import new_client

if TYPE_CHECKING:
    from tests.panel.conftest import Panel


async def test_s5_staff_write_the_article_a_missed_search_asked_for_and_publish_it(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    mark = uuid.uuid4().hex[:6]
    query = f"migrar correo gmail {mark}"
    email, _ = await new_client(panel, gateway)
    page = await panel.person(width="phone")
    await panel.sign_in(page, email)
    await page.goto(f"/help?q={query}")
    await expect(page.get_by_text(f"No encontramos artículos para “{query}”.")).to_be_visible()

    staff = await panel.person(width="laptop")
    await panel.sign_in(staff, await staff_member(panel, gateway, admin_headers))
    await staff.get_by_role("link", name="Base de conocimiento").click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Base de conocimiento")
    category = staff.get_by_role("form", name="Nueva categoría")
    await category.get_by_label("Nombre en español").fill(f"Correo {mark}")
    await category.get_by_label("Nombre en inglés").fill(f"E-mail {mark}")
    await category.get_by_role("button", name="Agregar la categoría").click()
    await expect(staff.get_by_text(f"Correo {mark} / E-mail {mark}")).to_be_visible()
    missed = staff.get_by_test_id("kb-missed").filter(has_text=query)
    await expect(missed).to_contain_text("1 vez")
    await check(panel, staff, "es-staff-kb")

    await missed.get_by_role("button", name=f"Escribir el artículo para «{query}»").click()
    editor = staff.get_by_role("form", name="Artículo")
    await expect(editor.get_by_label("Título")).to_have_value(query)
    title = f"Cómo migrar su correo desde Gmail {mark}"
    await editor.get_by_label("Título").fill(title)
    await expect(editor.get_by_label("Identificador en la dirección")).to_have_value(
        f"como-migrar-su-correo-desde-gmail-{mark}"
    )
    await editor.get_by_label("Categoría").select_option(label=f"Correo {mark}")
    await editor.get_by_label("Texto (Markdown)").fill(
        "## Paso a paso\n\nExporte su **correo** de Gmail e impórtelo en el webmail.\n\n<script>alert(1)</script>"
    )
    await editor.get_by_label("Publicado").uncheck()
    await editor.get_by_role("button", name="Guardar").click()
    await expect(editor).to_have_count(0)
    row = staff.get_by_test_id("kb-article").filter(has_text=title)
    await expect(row).to_contain_text("Borrador")

    # A draft is staff's: the client's search still finds nothing, nor does its topic list it.
    await page.reload()
    await expect(page.get_by_text(f"No encontramos artículos para “{query}”.")).to_be_visible()
    await page.get_by_role("button", name=f"Correo {mark}").click()
    await expect(page.get_by_text("Todavía no hay artículos de este tema en su idioma.")).to_be_visible()

    await row.get_by_role("button", name=f"Editar «{title}»").click()
    await expect(editor.get_by_label("Texto (Markdown)")).to_have_value(
        "## Paso a paso\n\nExporte su **correo** de Gmail e impórtelo en el webmail.\n\n<script>alert(1)</script>"
    )
    await editor.get_by_label("Publicado").check()
    await editor.get_by_role("button", name="Guardar").click()
    await expect(row).to_contain_text("Publicado")

    await page.reload()
    hit = page.get_by_test_id("kb-hit").filter(has_text=title)
    await hit.get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.get_by_role("heading", name="Paso a paso")).to_be_visible()
    assert await page.locator(".help-article script").count() == 0  # sanitised by support-svc
    await page.goto("/help")
    await expect(page.get_by_role("link", name="Estado del servicio")).to_have_attribute("href", "/status")
    await expect(page.get_by_role("link", name="Proponer una idea")).to_have_attribute("href", "/ideas")
    await page.get_by_role("button", name=f"Correo {mark}").click()  # browsing by topic finds it too
    await expect(page.get_by_test_id("kb-topic-article").filter(has_text=title)).to_be_visible()
    await check(panel, page, "es-help-topic")

    await staff.get_by_role("button", name="EN", exact=True).click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Knowledge base")
    await expect(staff.get_by_test_id("kb-missed").filter(has_text=query)).to_contain_text(
        "2 times"
    )  # the search during the draft
    await check(panel, staff, "en-staff-kb")
