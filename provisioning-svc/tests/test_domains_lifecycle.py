"""D-2 against the fake ResellerClub over HTTP, billing's events through the real broker: a paid order registers
once however often it is delivered (P-2: once the client's data is complete), a failing registrar call is retried
and shown to operators (P-4), a paid renewal invoice renews once, an unpaid domain is not suspended, and a domain
the registry deleted is reported (N-2 `DomainDeleted`) once."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

from domains_kit import domain_order, domain_row, give_registrant, registered_domain, sync_now, wait_domain
from provisioning_testkit import (
    Fakes,
    Served,
    auth,
    fetch,
    paid,
    publish_as_billing,
    service_state,
    wait_applied,
    wait_state,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.auth import Role
from abono.db import unit_of_work
from abono.events import InvoiceIssued, InvoiceLineInfo, InvoicePaid, SuspensionDecided, TerminationDecided
from abono.testing import wait_for
from provisioning.domains.service import send_expiry_notices


def _plus_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years)


async def test_d2_a_paid_order_registers_once_however_often_the_event_is_redelivered(
    served: Served, fakes: Fakes
) -> None:
    client_id = uuid.uuid4()
    await give_registrant(served, client_id, email="once@example.test")
    order = domain_order(client_id, "una-vez.com", cycle="biennial")
    payment = paid(order)
    again = paid(order, event_id=uuid.uuid4())  # billing announcing the same payment twice
    await publish_as_billing(order, payment, payment, order, again, payment)
    await wait_applied(served, order.event_id, payment.event_id, again.event_id)
    row = await wait_domain(served, order.service_id, "active")
    await wait_state(served, order.service_id, "active")

    assert len(fakes.registrar.calls_of("domains/register.json", **{"domain-name": "una-vez.com"})) == 1
    registered = fakes.registrar.order("una-vez.com")
    assert registered is not None and registered["ns"] == ["ns1.abono.example", "ns2.abono.example"]
    assert row["expires_on"] == _plus_years(datetime.now(UTC).date(), 2)  # biennial: 2 years at the registry
    assert row["registrar_order_id"] == registered["orderid"]
    async with served.http() as http:
        mine = (await http.get("/domains", headers=auth(client_id))).json()
    assert [(d["name"], d["status"], d["uses_provider_dns"], d["needs"]) for d in mine] == [
        ("una-vez.com", "active", True, None)]
    rows = await fetch(served.database_url, "SELECT count(*) AS n FROM outbox WHERE routing_key = $1 AND "
                       "payload->>'service_id' = $2", "provisioning.service.activated", str(order.service_id))
    assert rows[0]["n"] == 1


async def test_p2_a_paid_domain_waits_for_the_clients_data_then_registers(served: Served, fakes: Fakes) -> None:
    client_id = uuid.uuid4()
    order = domain_order(client_id, "espera-datos.com")
    await publish_as_billing(order, paid(order))
    await wait_domain(served, order.service_id, "awaiting_contact")
    async with served.http() as http:
        mine = (await http.get(f"/domains/{order.service_id}", headers=auth(client_id))).json()
        assert mine["needs"] == "registrant_data"
        # Incomplete or malformed data is refused and changes nothing.
        bad = await http.put("/domains/registrant", headers=auth(client_id),
                             json={"name": "Ana", "email": "no-es-un-mail", "country": "Argentina"})
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
        failed = (await http.get("/staff/domains/errors", headers=auth(uuid.uuid4(), Role.STAFF))).json()
    assert not [a for a in failed if a["service_id"] == str(order.service_id)]  # waiting is no failure
    assert not fakes.registrar.calls_of("domains/register.json", **{"domain-name": "espera-datos.com"})

    await give_registrant(served, client_id, email="espera@example.test")
    await wait_domain(served, order.service_id, "active")
    assert len(fakes.registrar.calls_of("domains/register.json", **{"domain-name": "espera-datos.com"})) == 1


async def test_d2_a_failing_registrar_call_is_retried_and_shown_to_operators(served: Served, fakes: Fakes) -> None:
    client_id = uuid.uuid4()
    await give_registrant(served, client_id, email="reintento@example.test")
    order = domain_order(client_id, "reintento.com")
    fakes.registrar.fail_paths["domains/orderid.json"] = 10_000  # the registrar is down
    try:
        await publish_as_billing(order, paid(order))
        staff = auth(uuid.uuid4(), Role.STAFF)

        async def shown() -> bool:
            async with served.http() as http:
                failing = (await http.get("/staff/domains/errors?limit=1000", headers=staff)).json()
            return any(a["service_id"] == str(order.service_id) and "503" in (a["last_error"] or "")
                       and a["attempts"] >= 2 for a in failing)

        await wait_for(shown, what="the failing registration to be listed for operators, retried")
        assert await service_state(served.database_url, order.service_id) == "pending"
    finally:
        fakes.registrar.fail_paths["domains/orderid.json"] = 0
    await wait_domain(served, order.service_id, "active")
    assert len(fakes.registrar.calls_of("domains/register.json", **{"domain-name": "reintento.com"})) == 1
    async with served.http() as http:
        failing = (await http.get("/staff/domains/errors", headers=auth(uuid.uuid4(), Role.STAFF))).json()
    assert not [a for a in failing if a["service_id"] == str(order.service_id)]


def _renewal_invoice(client_id: uuid.UUID, service_id: uuid.UUID, cycle: str | None = None) -> InvoiceIssued:
    return InvoiceIssued(
        invoice_id=uuid.uuid4(), client_id=client_id, number="F-R-1", payment_reference="R1",
        total={"amount_minor": 1500, "currency": "USD"}, due_on=date.today(), kind="renewal",
        lines=[InvoiceLineInfo(description=f"Dominio · {cycle}", amount={"amount_minor": 1500, "currency": "USD"},
                               service_id=service_id, cycle=cycle)])


def _paid(issued: InvoiceIssued) -> InvoicePaid:
    """As billing's settlement announces it: the renewal kind, each service line with its product's kind."""
    return InvoicePaid(invoice_id=issued.invoice_id, client_id=issued.client_id, number=issued.number,
                       total=issued.total, paid_at=datetime.now(UTC), method="card", kind=issued.kind,
                       lines=[line.model_copy(update={"product_kind": "domain"}) for line in issued.lines])


async def test_d2_a_paid_renewal_invoice_renews_at_the_registry_once(served: Served, fakes: Fakes) -> None:
    order = await registered_domain(served, "renueva.com")
    before = (await domain_row(served, order.service_id))["expires_on"]
    issued = _renewal_invoice(order.client_id, order.service_id)
    payment = _paid(issued)
    await publish_as_billing(issued, payment, payment, _paid(issued))

    async def renewed() -> bool:
        rows = await fetch(served.database_url, "SELECT renewed_at FROM domain_renewals WHERE invoice_id = $1",
                           issued.invoice_id)
        return bool(rows and rows[0]["renewed_at"] is not None)

    await wait_for(renewed, what="the renewal at the registry")
    row = await domain_row(served, order.service_id)
    assert row["expires_on"] == _plus_years(before, 1)
    order_id = row["registrar_order_id"]
    assert len(fakes.registrar.calls_of("domains/renew.json", **{"order-id": order_id})) == 1

    # Paid before billing's "issued" arrives (another invoice, events out of order): renewed once as well.
    late = _renewal_invoice(order.client_id, order.service_id)
    late_payment = _paid(late)
    await publish_as_billing(late_payment)
    await wait_applied(served, late_payment.event_id)
    await publish_as_billing(late)

    async def twice() -> bool:
        return (await domain_row(served, order.service_id))["expires_on"] == _plus_years(before, 2)

    await wait_for(twice, what="the second renewal")
    assert len(fakes.registrar.calls_of("domains/renew.json", **{"order-id": order_id})) == 2


async def test_b11_d2_a_cycle_changed_to_biennial_renews_two_years_at_the_registry(
    served: Served, fakes: Fakes
) -> None:
    order = await registered_domain(served, "cambia-ciclo.com")  # ordered annual: 1 year
    before = (await domain_row(served, order.service_id))["expires_on"]
    # B-11: the client moved it to biennial; billing re-issued the renewal invoice with a biennial line.
    issued = _renewal_invoice(order.client_id, order.service_id, cycle="biennial")
    await publish_as_billing(issued, _paid(issued))

    async def renewed() -> bool:
        return (await domain_row(served, order.service_id))["expires_on"] == _plus_years(before, 2)

    await wait_for(renewed, what="two years renewed at the registry")
    row = await domain_row(served, order.service_id)
    calls = fakes.registrar.calls_of("domains/renew.json", **{"order-id": row["registrar_order_id"]})
    assert [c["years"] for c in calls] == ["2"] and row["years"] == 2
    async with served.http() as http:
        [mine] = [d for d in (await http.get("/domains", headers=auth(order.client_id))).json()
                  if d["service_id"] == str(order.service_id)]
    assert mine["years"] == 2

    # Paid before the "issued" arrives: the payment's lines carry the cycle too (an annual one this time).
    annual = _renewal_invoice(order.client_id, order.service_id, cycle="annual")
    payment = _paid(annual)
    await publish_as_billing(payment)
    await wait_applied(served, payment.event_id)
    await publish_as_billing(annual)

    async def three() -> bool:
        return (await domain_row(served, order.service_id))["expires_on"] == _plus_years(before, 3)

    await wait_for(three, what="one more year")
    assert (await domain_row(served, order.service_id))["years"] == 1


async def test_d2_an_unpaid_domain_is_not_suspended(served: Served, fakes: Fakes) -> None:
    order = await registered_domain(served, "sin-suspender.com")
    decision = SuspensionDecided(client_id=order.client_id, service_ids=[order.service_id],
                                 invoice_id=uuid.uuid4(), rule="B-4")
    await publish_as_billing(decision)
    await wait_applied(served, decision.event_id)
    assert await service_state(served.database_url, order.service_id) == "active"
    notes = await fetch(served.database_url, "SELECT action, note FROM service_audit WHERE service_id = $1 "
                        "AND cause_event_id = $2", order.service_id, decision.event_id)
    assert [r["action"] for r in notes] == ["suspension_ignored"] and "D-2" in notes[0]["note"]
    actions = await fetch(served.database_url, "SELECT kind FROM driver_actions WHERE service_id = $1",
                          order.service_id)
    assert "suspend" not in {r["kind"] for r in actions}


async def test_d2_n2_a_domain_past_expiry_without_payment_is_reported_deleted_once(
    served: Served, fakes: Fakes
) -> None:
    order = await registered_domain(served, "se-vence.com")
    fakes.registrar.expire("se-vence.com")
    await sync_now(served, order.service_id)
    assert (await domain_row(served, order.service_id))["status"] == "expired"
    assert await service_state(served.database_url, order.service_id) == "active"  # not suspended (D-2)

    # Billing gives up on the renewal invoice (B-6): the service ends here, the registry still holds the domain.
    termination = TerminationDecided(client_id=order.client_id, service_ids=[order.service_id],
                                     invoice_id=uuid.uuid4(), rule="B-6")
    await publish_as_billing(termination)
    await wait_state(served, order.service_id, "terminated")
    assert not fakes.registrar.calls_of("domains/delete.json")

    fakes.registrar.delete("se-vence.com")
    await sync_now(served, order.service_id)
    row = await wait_domain(served, order.service_id, "deleted")
    assert row["sync_due_at"] is None
    await sync_now(served, order.service_id)  # a later sync (another replica, a retry) says nothing more
    deleted = await fetch(served.database_url, "SELECT payload FROM outbox WHERE routing_key = $1 AND "
                          "payload->>'service_id' = $2", "provisioning.domain.deleted", str(order.service_id))
    assert len(deleted) == 1
    actions = await fetch(served.database_url, "SELECT kind FROM driver_actions WHERE service_id = $1",
                          order.service_id)
    assert "terminate" not in {r["kind"] for r in actions}  # nothing to remove at the registry


async def test_d2_the_client_is_warned_before_expiry_once_per_threshold(
    served: Served, fakes: Fakes, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    order = await registered_domain(served, "aviso.com")
    expires_on = datetime.now(UTC).date() + timedelta(days=40)
    await fetch(served.database_url, "UPDATE domains SET expires_on = $2 WHERE service_id = $1", order.service_id,
                expires_on)
    settings = served.app.state.runtime.settings

    async def run(today: date) -> None:
        for _ in range(2):  # two replicas (or passes) on the same day
            async with unit_of_work(sessionmaker) as session:
                await send_expiry_notices(session, settings=settings, today=today, now=datetime.now(UTC))

    async def notices() -> list[tuple[str, int]]:
        rows = await fetch(served.database_url, "SELECT payload FROM outbox WHERE routing_key = $1 AND "
                           "payload->>'service_id' = $2 ORDER BY id", "provisioning.domain.expiring",
                           str(order.service_id))
        return [(json.loads(r["payload"])["expires_on"], json.loads(r["payload"])["days_before"]) for r in rows]

    await run(expires_on - timedelta(days=31))
    assert await notices() == []
    await run(expires_on - timedelta(days=30))
    await run(expires_on - timedelta(days=12))  # still inside the 30-day notice: nothing new
    await run(expires_on - timedelta(days=5))  # first pass after 7 days out: the 7-day notice, not 7 and 30 again
    await run(expires_on - timedelta(days=1))
    await run(expires_on - timedelta(days=1))
    assert await notices() == [(expires_on.isoformat(), 30), (expires_on.isoformat(), 5),
                               (expires_on.isoformat(), 1)]
