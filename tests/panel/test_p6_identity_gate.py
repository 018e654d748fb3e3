"""P-6 with A-2 in the browser: a client whose identity is not verified cannot offer its hosting to another client;
the page says why and leads to the identity verification. Once staff approve its identity (the gateway's
ClientVerified reaches provisioning) the offer goes through, shows as pending, and the recipient (verified too)
accepts it from its own panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from abono.testing import wait_for
from tests.panel.conftest import api_login
from tests.panel.test_pages import check, client_with_active_hosting

if TYPE_CHECKING:
    from tests.panel.conftest import Panel

PASSWORD = "una-clave-bien-larga"


async def test_p6_a2_a_transfer_waits_for_the_owners_verified_identity(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    client = await client_with_active_hosting(panel, gateway, admin_headers)
    client_id = (await gateway.get("/api/auth/me", headers=client.headers)).json()["id"]
    page = await panel.person(width="laptop")
    await panel.sign_in(page, client.email)
    await page.goto(f"/services/{client.service_id}")
    await page.get_by_label("Correo del nuevo titular").fill(panel.new_email("nuevo"))
    await page.get_by_role("button", name="Transferir", exact=True).click()
    refusal = "Para transferir un servicio, las dos cuentas necesitan la identidad verificada"
    await expect(page.get_by_text(refusal)).to_be_visible()
    await page.get_by_role("link", name="Verificar mi identidad").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Verificación de identidad")
    await page.get_by_role("button", name="EN", exact=True).click()  # the page in English passes axe-core too
    await expect(page.get_by_role("heading", level=1)).to_have_text("Identity verification")
    await check(panel, page, "en-identity")
    await page.get_by_role("button", name="ES", exact=True).click()

    # Staff approve the client's identity; provisioning learns it from ClientVerified.
    await verify_identity(gateway, admin_headers, client.headers, client_id, "Marta Díaz", "27-28999111-3")

    async def provisioning_knows() -> bool:
        # A probe offer: refused (409 client-not-verified) until provisioning knows; once made, it is cancelled.
        answer = await gateway.post(f"/api/provisioning/services/{client.service_id}/transfers",
                                    json={"to_email": panel.new_email("sonda")}, headers=client.headers)
        if answer.status_code != 201:
            return False
        cancelled = await gateway.post(f"/api/provisioning/transfers/{answer.json()['id']}/cancel",
                                       headers=client.headers)
        assert cancelled.status_code == 200, cancelled.text
        return True

    await wait_for(provisioning_knows, within=20, what="provisioning to learn the verified identity (A-2)")
    recipient = panel.new_email("nuevo")
    signup = await gateway.post("/api/auth/signup", json={"email": recipient, "password": PASSWORD,
                                                           "name": "Nuevo Titular", "country": "AR"})
    assert signup.status_code == 202, signup.text
    recipient_headers = await api_login(gateway, recipient)
    recipient_id = (await gateway.get("/api/auth/me", headers=recipient_headers)).json()["id"]
    await verify_identity(gateway, admin_headers, recipient_headers, recipient_id, "Nuevo Titular", "20-31222333-4")
    await page.goto(f"/services/{client.service_id}")
    await page.get_by_label("Correo del nuevo titular").fill(recipient)
    await page.get_by_role("button", name="Transferir", exact=True).click()
    await expect(page.get_by_text(f"Esperando que {recipient} acepte")).to_be_visible()

    # The recipient accepts from its panel (both confirmed the same request): the hosting is its own now.
    other = await panel.person(width="phone")
    await panel.sign_in(other, recipient)
    await other.goto("/services")
    await expect(other.get_by_text("Le quieren transferir un servicio")).to_be_visible()

    async def accepted() -> bool:
        """One click on Aceptar; a 409 (provisioning not yet told of the recipient's identity) is tried again."""
        await other.reload()
        async with other.expect_response(lambda r: r.url.endswith("/accept")) as answer:
            await other.get_by_role("button", name="Aceptar transferencia").click()
        return (await answer.value).status == 200

    await wait_for(accepted, within=20, what="the recipient's acceptance (its identity known to provisioning)")
    mine = await gateway.get(f"/api/provisioning/services/{client.service_id}", headers=client.headers)
    assert mine.status_code == 404  # no longer the first client's


async def verify_identity(gateway: httpx.AsyncClient, admin: dict[str, str], headers: dict[str, str], client_id: str,
                          name: str, tax_id: str) -> None:
    """A-2 through the API: the three files, the data, staff's approval."""
    for side, data in (("front", b"\x89PNG\r\n\x1a\n" + bytes(32)), ("back", b"%PDF-1.7\n" + bytes(32)),
                       ("selfie", b"\xff\xd8\xff\xe0" + bytes(32))):
        uploaded = await gateway.put(f"/api/identity/me/documents/{side}", content=data, headers=headers)
        assert uploaded.status_code == 204, uploaded.text
    sent = await gateway.post("/api/identity/me/submit", headers=headers,
                              json={"legal_name": name, "tax_id": tax_id, "document_type": "dni"})
    assert sent.status_code == 202, sent.text
    approved = await gateway.post(f"/api/identity/staff/{client_id}/approve", json={}, headers=admin)
    assert approved.status_code == 200, approved.text
