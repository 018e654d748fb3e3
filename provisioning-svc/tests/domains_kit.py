"""Helpers of the domain tests: a domain ordered and paid through the broker, the registrant data, waits."""

import uuid
from typing import Any

from provisioning_testkit import Served, auth, fetch, ordered, paid, publish_as_billing, wait_applied

from abono.events import ServiceOrdered
from abono.testing import wait_for

REGISTRANT = {
    "name": "Ana Pérez", "company": "", "email": "ana@example.test", "address": "Av. Corrientes 1234",
    "city": "Buenos Aires", "state": "CABA", "postal_code": "C1043", "country": "ar", "phone_cc": "54",
    "phone": "1145678901",
}


def domain_order(client_id: uuid.UUID, name: str, *, cycle: str = "annual") -> ServiceOrdered:
    order = ordered(client_id, driver="registrar", kind="domain", settings={"tld": name.split(".", 1)[1]},
                    domain=name)
    return order.model_copy(update={"cycle": cycle, "product_code": "domain-com", "product_name": "Dominio"})


async def give_registrant(served: Served, client_id: uuid.UUID, **changes: Any) -> None:
    async with served.http() as http:
        response = await http.put("/domains/registrant", json={**REGISTRANT, **changes}, headers=auth(client_id))
        assert response.status_code == 200, response.text


async def domain_row(served: Served, service_id: uuid.UUID) -> dict[str, Any]:
    rows = await fetch(served.database_url, "SELECT * FROM domains WHERE service_id = $1", service_id)
    return dict(rows[0]) if rows else {}


async def wait_domain(served: Served, service_id: uuid.UUID, status: str) -> dict[str, Any]:
    async def reached() -> bool:
        return (await domain_row(served, service_id)).get("status") == status

    await wait_for(reached, what=f"domain {service_id} to be {status}")
    return await domain_row(served, service_id)


async def registered_domain(served: Served, name: str) -> ServiceOrdered:
    """A client with complete data orders and pays `name`; it is active at the registrar."""
    client_id = uuid.uuid4()
    await give_registrant(served, client_id, email=f"{client_id.hex[:8]}@example.test")
    order = domain_order(client_id, name)
    await publish_as_billing(order, paid(order))
    await wait_domain(served, order.service_id, "active")
    return order


async def sync_now(served: Served, service_id: uuid.UUID) -> None:
    """Make the domain's daily registrar sync due now, and wait until it ran."""
    before = (await domain_row(served, service_id)).get("synced_at")
    await fetch(served.database_url, "UPDATE domains SET sync_due_at = now() - interval '1 second' "
                "WHERE service_id = $1", service_id)

    async def synced() -> bool:
        return (await domain_row(served, service_id)).get("synced_at") != before

    await wait_for(synced, what="the registrar sync to run")


async def applied(served: Served, *event_ids: uuid.UUID) -> None:
    await wait_applied(served, *event_ids)
