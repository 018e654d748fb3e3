"""`.com.ar` at NIC Argentina (#21, D-1..D-3, P-3, P-4) against the local NIC Argentina over HTTP: availability from
its RDAP; NIC has no registrar API, so a paid registration (and a renewal, a delegation) is a staff task to do in its
TAD, and the action is done only once NIC's RDAP shows the step (a task completed early is retried and shown to
operators); no EPP code, lock or transfer in under `.ar`."""

import uuid
from datetime import UTC, date, datetime

from domains_kit import domain_order, domain_row, give_registrant, wait_domain
from provisioning_testkit import Fakes, Served, auth, fetch, paid, publish_as_billing, service_state, wait_state

from abono.auth import Role
from abono.events import InvoiceIssued, InvoiceLineInfo, InvoicePaid, ServiceOrdered
from abono.testing import wait_for


def _ar_order(client_id: uuid.UUID, name: str) -> ServiceOrdered:
    order = domain_order(client_id, name)
    return order.model_copy(update={"driver": "nic-ar", "product_code": "domain-com-ar",
                                    "driver_settings": {"tld": ".com.ar", "transfer_in": False}})


async def _open_task(served: Served, service_id: uuid.UUID, kind: str) -> dict[str, object]:
    async def opened() -> bool:
        rows = await fetch(served.database_url, "SELECT id FROM staff_tasks WHERE service_id = $1 AND kind = $2 "
                           "AND completed_at IS NULL", service_id, kind)
        return bool(rows)

    await wait_for(opened, what=f"the {kind} task")
    async with served.http() as http:
        tasks = (await http.get("/staff/tasks", headers=auth(uuid.uuid4(), Role.STAFF))).json()
    return next(t for t in tasks if t["service_id"] == str(service_id) and t["kind"] == kind)


async def _complete(served: Served, task_id: object) -> None:
    async with served.http() as http:
        done = await http.post(f"/staff/tasks/{task_id}/complete", headers=auth(uuid.uuid4(), Role.STAFF),
                               json={"note": "hecho en TAD"})
        assert done.status_code == 200, done.text


async def test_d1_ar_availability_comes_from_nic_argentinas_rdap(served: Served, fakes: Fakes) -> None:
    label = f"libre{uuid.uuid4().hex[:6]}"
    fakes.nicar.register(f"{label}.net.ar")
    async with served.http() as http:
        found = await http.get("/domains/search", params=[("q", label), ("tlds", "com"), ("tlds", "com.ar"),
                                                          ("tlds", "net.ar")], headers=auth(uuid.uuid4()))
        taken = await http.get("/domains/search", params={"q": "tomado", "tlds": "com.ar"}, headers=auth(uuid.uuid4()))
    assert found.status_code == 200, found.text
    assert [(r["name"], r["available"]) for r in found.json()["results"]] == [
        (f"{label}.com", True), (f"{label}.com.ar", True), (f"{label}.net.ar", False)]
    assert f"{label}.com.ar" in fakes.nicar.lookups and f"{label}.com.ar" not in str(fakes.registrar.calls)
    assert [(r["name"], r["available"]) for r in taken.json()["results"]] == [("tomado.com.ar", False)]


async def test_d2_p3_a_paid_com_ar_is_a_tad_task_for_staff_and_done_once_nic_shows_it(
    served: Served, fakes: Fakes
) -> None:
    client_id = uuid.uuid4()
    await give_registrant(served, client_id, email="nic@example.test", tax_id="20-12345678-6")
    name = f"nuevo{uuid.uuid4().hex[:6]}.com.ar"
    order = _ar_order(client_id, name)
    await publish_as_billing(order, paid(order), paid(order, event_id=uuid.uuid4()))
    task = await _open_task(served, order.service_id, "nic_ar_register")
    assert name in str(task["title"]) and "TAD" in str(task["title"]) and "ns1.abono.example" in str(task["title"])
    assert "20-12345678-6" in str(task["title"])  # the holder's CUIT, which TAD asks for
    assert (await domain_row(served, order.service_id))["status"] == "registering"
    assert await service_state(served.database_url, order.service_id) == "pending"

    # Completed before NIC publishes it: not done on staff's word alone; retried and shown to operators (P-4).
    await _complete(served, task["id"])

    async def shown() -> bool:
        async with served.http() as http:
            errors = (await http.get("/staff/domains/errors", headers=auth(uuid.uuid4(), Role.STAFF))).json()
        return any(e["domain"] == name and "does not show it registered" in (e["last_error"] or "") for e in errors)

    await wait_for(shown, what="the unconfirmed registration in the operators' list")
    fakes.nicar.register(name, nameservers=("ns1.abono.example", "ns2.abono.example"))
    row = await wait_domain(served, order.service_id, "active")
    await wait_state(served, order.service_id, "active")
    assert row["expires_on"] == fakes.nicar.domains[name]["expires_on"]  # what NIC's RDAP says
    rows = await fetch(served.database_url, "SELECT count(*) AS n FROM staff_tasks WHERE service_id = $1",
                       order.service_id)
    assert rows[0]["n"] == 1  # one task, however often the payment arrived

    # D-2: a paid renewal is a TAD step too, confirmed by the new expiry at NIC.
    before = row["expires_on"]
    issued = InvoiceIssued(
        invoice_id=uuid.uuid4(), client_id=client_id, number="F-AR-1", payment_reference="AR1",
        total={"amount_minor": 6000, "currency": "ARS"}, due_on=date.today(), kind="renewal",
        lines=[InvoiceLineInfo(description="Dominio .com.ar", amount={"amount_minor": 6000, "currency": "ARS"},
                               service_id=order.service_id, cycle="annual")])
    await publish_as_billing(issued, InvoicePaid(invoice_id=issued.invoice_id, client_id=client_id, number="F-AR-1",
                                                 total=issued.total, paid_at=datetime.now(UTC), method="card"))
    renew = await _open_task(served, order.service_id, "nic_ar_renew")
    fakes.nicar.renew(name)
    await _complete(served, renew["id"])

    async def renewed() -> bool:
        return (await domain_row(served, order.service_id))["expires_on"] == before.replace(year=before.year + 1)

    await wait_for(renewed, what="the renewal seen at NIC")


async def test_d3_ar_has_no_epp_code_lock_or_transfer_in(served: Served, fakes: Fakes) -> None:
    client_id = uuid.uuid4()
    await give_registrant(served, client_id, email="sin-epp@example.test", tax_id="20123456786")
    name = f"propio{uuid.uuid4().hex[:6]}.com.ar"
    order = _ar_order(client_id, name)
    await publish_as_billing(order, paid(order))
    await _complete(served, (await _open_task(served, order.service_id, "nic_ar_register"))["id"])
    fakes.nicar.register(name)
    await wait_domain(served, order.service_id, "active")
    async with served.http() as http:
        url = f"/domains/{order.service_id}"
        epp = await http.post(f"{url}/epp-code", headers=auth(client_id))
        lock = await http.put(f"{url}/lock", json={"locked": True}, headers=auth(client_id))
        transfer = await http.post(f"{url}/transfer", json={"epp_code": "EPP-123456"}, headers=auth(client_id))
    for answer in (epp, lock, transfer):
        assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
        assert "TAD" in answer.json()["detail"]


async def test_d2_a_com_ar_waits_for_the_holders_cuit_which_must_be_valid(served: Served, fakes: Fakes) -> None:
    """NIC Argentina registers a name only to a holder identified by CUIT/CUIL (or its own id for a non-resident)."""
    client_id = uuid.uuid4()
    await give_registrant(served, client_id, email="sin-cuit@example.test")  # complete, but no CUIT
    name = f"cuit{uuid.uuid4().hex[:6]}.com.ar"
    order = _ar_order(client_id, name)
    await publish_as_billing(order, paid(order))
    await wait_domain(served, order.service_id, "awaiting_contact")
    async with served.http() as http:
        mine = (await http.get(f"/domains/{order.service_id}", headers=auth(client_id))).json()
        assert mine["needs"] == "tax_id"
        bad = await http.put("/domains/registrant", headers=auth(client_id), json={
            "name": "Ana Pérez", "email": "sin-cuit@example.test", "address": "Av. Corrientes 1234",
            "city": "Buenos Aires", "postal_code": "C1043", "country": "AR", "phone_cc": "54",
            "phone": "1145678901", "tax_id": "20-12345678-5"})
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    rows = await fetch(served.database_url, "SELECT count(*) AS n FROM staff_tasks WHERE service_id = $1",
                       order.service_id)
    assert rows[0]["n"] == 0  # nothing for staff while the holder cannot be named at NIC
    await give_registrant(served, client_id, email="sin-cuit@example.test", tax_id="20-12345678-6")
    task = await _open_task(served, order.service_id, "nic_ar_register")
    assert "20-12345678-6" in str(task["title"])
