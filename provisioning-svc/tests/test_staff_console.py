"""Issue 14 at provisioning: staff find services by domain and panel username and list them by state, driver and
server; a client's services, tasks and audit trail; what waits for a person. Reads only (P-5)."""

import uuid

from provisioning_testkit import Served, auth, ordered, paid, publish_as_billing, service_state

from abono.auth import Role
from abono.testing import wait_for


async def test_staff_find_services_by_domain_and_list_them_by_state_driver_and_server(served: Served) -> None:
    client_id, staff = uuid.uuid4(), auth(uuid.uuid4(), Role.STAFF)
    domain = f"radio{uuid.uuid4().hex[:6]}.com.ar"
    order = ordered(client_id, domain=domain)
    await publish_as_billing(order, paid(order))

    async def active() -> bool:
        return await service_state(served.database_url, order.service_id) == "active"

    await wait_for(active, what="the ordered service to be active")
    async with served.http() as http:
        found = await http.get("/staff/services", params={"q": domain[2:12].upper()}, headers=staff)
        assert found.status_code == 200, found.text
        [service] = found.json()
        assert (service["id"], service["client_id"], service["state"], service["driver"]) == (
            str(order.service_id),
            str(client_id),
            "active",
            "whm",
        )
        assert service["username"]  # the panel login the driver made
        by_user = (await http.get("/staff/services", params={"q": service["username"]}, headers=staff)).json()
        assert str(order.service_id) in [s["id"] for s in by_user]
        # One or two letters: the start of a domain only (no trigram to look up a substring by).
        for q, expected in (("RA", True), ("ad", False)):
            short = await http.get("/staff/services", params={"q": q, "client_id": str(client_id)}, headers=staff)
            assert (str(order.service_id) in [s["id"] for s in short.json()]) is expected, q
        listed = (
            await http.get(
                "/staff/services",
                params={"state": "active", "driver": "whm", "client_id": str(client_id)},
                headers=staff,
            )
        ).json()
        assert [s["id"] for s in listed] == [str(order.service_id)]
        facets = (await http.get("/staff/services/facets", headers=staff)).json()
        assert any(f["state"] == "active" and f["driver"] == "whm" and f["count"] >= 1 for f in facets)
        record = (await http.get(f"/staff/clients/{client_id}", headers=staff)).json()
        assert [s["id"] for s in record["services"]] == [str(order.service_id)]
        assert "activate" in [a["action"] for a in record["audit"]]
        work = (await http.get("/staff/work", headers=staff)).json()
        assert set(work) == {"failed_actions", "overdue_tasks", "open_tasks"}
        for path in ("/staff/services", "/staff/services/facets", f"/staff/clients/{client_id}", "/staff/work"):
            assert (await http.get(path, headers=auth(client_id))).status_code == 403, path
