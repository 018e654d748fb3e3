"""#19 item 3 (P-4): billing neither creates nor sells a product whose provisioning driver has no server, endpoint or
registrar, as provisioning last reported (`DriversConfigured`); before provisioning's first report it allows them
(README, "Drivers and servers")."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from billing_helpers import admin, auth, new_client, paid_order, sql, staff

from abono.events import DriverConfiguration, DriversConfigured
from abono.testing import publish_events, wait_for

ALIASES = {"cpanel": "whm", "staff-task": "manual"}


def configuration(*, whm: list[str] | None = None, endpoints: list[str] | None = None) -> DriverConfiguration:
    return DriverConfiguration(driver_aliases=ALIASES, whm_servers=whm or [], http_endpoints=endpoints or [],
                               registrar_drivers=["registrar"], registrar_configured=False)


def product(code: str, driver: str, **settings: object) -> dict[str, object]:
    return {"code": code, "name": f"Producto {code}", "kind": "vps", "cycles": ["monthly"],
            "activation": "automatic", "driver": driver, "driver_settings": settings,
            "prices": [{"cycle": "monthly", "currency": "USD", "amount_minor": 1000}]}


@pytest.fixture
async def unreported(billing_db: str) -> AsyncIterator[None]:
    """Each test starts and ends as a new installation: provisioning has reported nothing yet."""
    await sql(billing_db, "DELETE FROM provisioning_drivers")
    yield
    await sql(billing_db, "DELETE FROM provisioning_drivers")


async def report(billing: httpx.AsyncClient, event: DriversConfigured) -> None:
    """Provisioning's start-up report, through the broker to billing's consumer; waits until billing applied it."""
    await publish_events(event, until_routed=True)

    async def applied() -> bool:
        seen = (await billing.get("/staff/catalog/drivers", headers=staff())).json()
        return seen["reported_at"] is not None and datetime.fromisoformat(seen["reported_at"]) >= event.occurred_at

    await wait_for(applied, what="billing to keep provisioning's report")


async def test_p4_before_provisioning_reports_products_are_not_refused(
    billing: httpx.AsyncClient, unreported: None
) -> None:
    seen = (await billing.get("/staff/catalog/drivers", headers=staff())).json()
    assert seen == {"reported_at": None, "configuration": None}
    code = f"p4-{uuid.uuid4().hex[:8]}"
    created = await billing.post("/staff/catalog/products", json=product(code, "proxmox"), headers=admin())
    assert created.status_code == 201, created.text
    assert created.json()["provisioning_problem"] is None


async def test_p4_a_product_provisioning_cannot_run_is_refused_at_creation(
    billing: httpx.AsyncClient, billing_db: str, unreported: None
) -> None:
    await report(billing, DriversConfigured(configuration=configuration(whm=["whm1"], endpoints=["centova"])))
    code = f"p4-{uuid.uuid4().hex[:8]}"
    refused = await billing.post("/staff/catalog/products", json=product(code, "proxmox"), headers=admin())
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"].endswith("driver-not-configured") and problem["driver"] == "proxmox"
    assert "no HTTP endpoint 'proxmox' is configured (PROVISIONING_HTTP_ENDPOINTS)" in problem["detail"]
    assert await sql(billing_db, "SELECT 1 FROM products WHERE code = $1", code) == []  # nothing changed
    whm = await billing.post("/staff/catalog/products", json=product(code, "cpanel", server="whm9"), headers=admin())
    assert whm.status_code == 409 and "no WHM server 'whm9'" in whm.json()["detail"]

    for runnable in (product(code, "cpanel", server="whm1"), product(f"{code}-c", "centova"),
                     product(f"{code}-m", "staff-task")):
        created = await billing.post("/staff/catalog/products", json=runnable, headers=admin())
        assert created.status_code == 201, created.text
        assert created.json()["provisioning_problem"] is None
    # Moving an existing product to a driver or server provisioning lacks is refused the same way.
    moved = await billing.patch(f"/staff/catalog/products/{code}", json={"driver_settings": {"server": "whm9"}},
                                headers=admin())
    assert moved.status_code == 409 and moved.json()["product_code"] == code
    assert (await billing.patch(f"/staff/catalog/products/{code}", json={"active": False},
                                headers=admin())).status_code == 200  # withdrawing it is always allowed


async def test_p4_ordering_what_provisioning_cannot_run_is_refused_and_listed_for_staff(
    billing: httpx.AsyncClient, billing_db: str, unreported: None
) -> None:
    client_id = await new_client(billing_db)
    order = {"items": [{"product_code": "vps-1", "cycle": "monthly"}]}  # seeded: driver proxmox (an HTTP endpoint)
    await report(billing, DriversConfigured(configuration=configuration(whm=["whm1"])))
    for path in ("/orders/preview", "/orders"):
        refused = await billing.post(path, json=order, headers=auth(client_id))
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"].endswith("driver-not-configured")
        assert refused.json()["detail"].startswith("VPS 1 vCPU cannot be ordered at the moment")
        assert "PROVISIONING" not in refused.text  # the provider's configuration is for operators, not clients
    assert await sql(billing_db, "SELECT 1 FROM invoices WHERE client_id = $1", client_id) == []
    listed = {p["code"]: p for p in (await billing.get("/staff/catalog/products", headers=staff())).json()}
    assert "no HTTP endpoint 'proxmox'" in str(listed["vps-1"]["provisioning_problem"])
    assert listed["webmaster-basic"]["provisioning_problem"] is None  # manual: a staff task, always runnable
    assert "provisioning_problem" not in (await billing.get("/catalog/products/vps-1", headers=auth())).json()

    await report(billing, DriversConfigured(configuration=configuration(whm=["whm1"], endpoints=["proxmox"])))
    placed = await billing.post("/orders", json=order, headers=auth(client_id))
    assert placed.status_code == 201, placed.text


async def test_p4_the_latest_report_wins_whatever_order_they_arrive_in(
    billing: httpx.AsyncClient, billing_db: str, unreported: None
) -> None:
    now = datetime.now(UTC)
    newer = DriversConfigured(occurred_at=now, configuration=configuration(endpoints=["proxmox"]))
    older = DriversConfigured(occurred_at=now - timedelta(minutes=5), configuration=configuration())
    await report(billing, newer)
    await publish_events(older, until_routed=True)

    async def older_applied() -> bool:
        return bool(await sql(billing_db, "SELECT 1 FROM inbox WHERE event_id = $1", older.event_id))

    await wait_for(older_applied, what="the older report to be consumed")
    seen = (await billing.get("/staff/catalog/drivers", headers=staff())).json()
    assert seen["configuration"]["http_endpoints"] == ["proxmox"]
    assert datetime.fromisoformat(seen["reported_at"]) == now


async def test_p4_upgrading_to_a_product_provisioning_cannot_run_is_refused(
    billing: httpx.AsyncClient, billing_db: str, unreported: None
) -> None:
    code = f"p4-{uuid.uuid4().hex[:8]}"
    await report(billing, DriversConfigured(configuration=configuration(endpoints=["centova", "wowza"])))
    for body in (product(f"{code}-big", "wowza"), {**product(code, "centova"), "upgrade_to": [f"{code}-big"]}):
        assert (await billing.post("/staff/catalog/products", json=body, headers=admin())).status_code == 201
    client_id = await new_client(billing_db)
    placed = await paid_order(billing, client_id, [{"product_code": code, "cycle": "monthly"}])
    service_id = placed["service_ids"][0]  # type: ignore[index]
    await report(billing, DriversConfigured(configuration=configuration(endpoints=["centova"])))  # wowza removed
    for path in ("upgrade/preview", "upgrade"):
        refused = await billing.post(f"/services/{service_id}/{path}", headers=auth(client_id),
                                     json={"product_code": f"{code}-big"})
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"].endswith("driver-not-configured")
    assert await sql(billing_db, "SELECT 1 FROM upgrades WHERE subscription_id = $1", uuid.UUID(str(service_id))) == []
