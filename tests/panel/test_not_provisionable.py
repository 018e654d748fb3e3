"""#19 item 3 (P-4) across the platform: provisioning announces at start-up what it can run, billing keeps it (through
the outbox and the broker), refuses a product provisioning cannot run, and the staff console's catalog says why for
one that was already there."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect

from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.testing import wait_for
from billing.catalog.models import Product
from billing.catalog.repository import CatalogRepository
from tests.panel.test_staff_console import staff_member

if TYPE_CHECKING:
    from conftest import Platform
    from tests.panel.conftest import Panel


async def test_p4_staff_see_why_a_product_cannot_be_sold_and_cannot_create_another(
    panel: Panel, gateway: httpx.AsyncClient, admin_headers: dict[str, str], platform: Platform
) -> None:
    async def provisioning_reported() -> bool:
        seen = (await gateway.get("/api/billing/staff/catalog/drivers", headers=admin_headers)).json()
        return seen["reported_at"] is not None

    await wait_for(provisioning_reported, what="provisioning's DriversConfigured to reach billing")
    seen = (await gateway.get("/api/billing/staff/catalog/drivers", headers=admin_headers)).json()
    assert seen["configuration"]["whm_servers"] == ["whm1"] and "proxmox" in seen["configuration"]["http_endpoints"]

    code = f"nowhere-{uuid.uuid4().hex[:6]}"  # left from before: loaded as the seed loads, unchecked
    now = datetime.now(UTC)
    engine = make_engine(platform.database_urls["billing"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await CatalogRepository(session).add_product_once(Product(
            id=uuid.uuid4(), code=code, name="Radio sin servidor", description="", kind="audio_streaming",
            cycles=["monthly"], activation="automatic", driver="nowhere", driver_settings={}, upgrade_to=[],
            active=True, created_at=now, updated_at=now))
    await engine.dispose()
    another = {"code": f"{code}-2", "name": "Otra", "kind": "audio_streaming", "cycles": ["monthly"],
               "activation": "automatic", "driver": "nowhere"}
    refused = await gateway.post("/api/billing/staff/catalog/products", json=another, headers=admin_headers)
    assert refused.status_code == 409 and refused.json()["type"].endswith("driver-not-configured"), refused.text

    page = await panel.person()
    await panel.sign_in(page, await staff_member(panel, gateway, admin_headers))
    await page.goto("/staff/billing")
    await page.get_by_text(re.compile(r"^Ver el catálogo")).click()
    row = page.get_by_role("row").filter(has_text=code)
    await expect(row.get_by_role("note")).to_contain_text("No se vende")
    await expect(row.get_by_role("note")).to_contain_text("no HTTP endpoint 'nowhere' is configured")
    hosting = page.get_by_role("row").filter(has_text="hosting-basic")
    await expect(hosting.get_by_role("note")).to_have_count(0)  # its WHM server is configured
