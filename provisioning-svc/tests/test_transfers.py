"""P-6 through the running app: the owner's request and the recipient's acceptance move a service to another
verified client, audited and published; what refuses a transfer; cancelling and expiry. Client accounts and
invoices arrive as the gateway's and billing's events, through the real broker."""

import json
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from provisioning_testkit import (
    Served,
    auth,
    client_via_events,
    fetch,
    ordered,
    paid,
    publish_as_billing,
    registered,
    renewal_paid,
    wait_applied,
    wait_state,
)

from abono.events import (
    ClientVerified,
    InvoiceCancelled,
    InvoiceIssued,
    InvoiceLineInfo,
    ServiceOrdered,
    SuspensionDecided,
)
from abono.money import MoneyModel

USD = MoneyModel(amount_minor=10_000, currency="USD")


async def active_service(served: Served, client_id: uuid.UUID, domain: str) -> ServiceOrdered:
    order = ordered(client_id, domain=domain)
    await publish_as_billing(order, paid(order))
    await wait_state(served, order.service_id, "active")
    return order


def issued(client_id: uuid.UUID, *service_ids: uuid.UUID | None, number: str = "F-0100") -> InvoiceIssued:
    return InvoiceIssued(
        invoice_id=uuid.uuid4(), client_id=client_id, number=number, payment_reference=f"REF{number}", total=USD,
        due_on=date(2027, 1, 10),
        lines=[InvoiceLineInfo(description="Renovación", amount=USD, service_id=s) for s in service_ids],
    )


async def offer(http: httpx.AsyncClient, service_id: uuid.UUID, owner: uuid.UUID, **body: Any) -> httpx.Response:
    body = {k: str(v) for k, v in body.items()}
    return await http.post(f"/services/{service_id}/transfers", json=body, headers=auth(owner))


def problem_code(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return str(response.json()["type"].rsplit("/", 1)[-1])


async def test_p6_both_clients_confirm_and_the_service_changes_owner_audited_and_published(served: Served) -> None:
    owner, recipient = await client_via_events(served), await client_via_events(served)
    a, b, stranger = owner.client_id, recipient.client_id, uuid.uuid4()
    order = await active_service(served, a, "cedido.com.ar")
    async with served.http() as http:
        # By e-mail, in any case.
        created = await offer(http, order.service_id, a, to_email=recipient.profile.email.upper())
        assert created.status_code == 201, created.text
        transfer = created.json()
        # Issue 11: the owner is not told whether the e-mail is a client's until the transfer completes.
        assert (transfer["status"], transfer["direction"], transfer["to_client_id"]) == ("pending", "outgoing", None)
        assert transfer["domain"] == "cedido.com.ar" and transfer["accepted_at"] is None
        incoming = (await http.get("/transfers", headers=auth(b))).json()
        assert [(t["id"], t["direction"], t["status"], t["to_client_id"]) for t in incoming] == [
            (transfer["id"], "incoming", "pending", str(b))]
        # A third client sees nothing and touches nothing.
        assert (await http.get("/transfers", headers=auth(stranger))).json() == []
        for action in ("accept", "cancel"):
            response = await http.post(f"/transfers/{transfer['id']}/{action}", headers=auth(stranger))
            assert (response.status_code, problem_code(response)) == (404, "not-found")
        assert (await offer(http, order.service_id, stranger, to_client_id=b)).status_code == 404
        # The owner's request is its confirmation: accepting is the recipient's part.
        assert (await http.post(f"/transfers/{transfer['id']}/accept", headers=auth(a))).status_code == 403

        accepted = await http.post(f"/transfers/{transfer['id']}/accept", headers=auth(b))
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "completed" and accepted.json()["accepted_at"] is not None
        [completed] = (await http.get("/transfers", headers=auth(a))).json()
        assert completed["to_client_id"] == str(b)  # once completed, the owner sees whom the service went to
        mine = await http.get(f"/services/{order.service_id}", headers=auth(b))
        assert mine.status_code == 200 and mine.json()["access"]["username"]
        assert (await http.get(f"/services/{order.service_id}", headers=auth(a))).status_code == 404
        again = await http.post(f"/transfers/{transfer['id']}/accept", headers=auth(b))
        assert (again.status_code, problem_code(again), again.json()["transfer_status"]) == (
            409, "transfer-not-pending", "completed")
        assert (await offer(http, order.service_id, a, to_client_id=b)).status_code == 404  # no longer A's
    audit = await fetch(served.database_url, "SELECT * FROM service_audit WHERE service_id = $1 AND action = "
                        "'transfer'", order.service_id)
    assert len(audit) == 1
    assert (audit[0]["rule"], audit[0]["actor_id"], audit[0]["decided_by"]) == ("P-6", b, "client")
    assert (audit[0]["from_state"], audit[0]["to_state"]) == ("active", "active")
    published = await fetch(served.database_url, "SELECT id, payload FROM outbox WHERE routing_key = $1 AND "
                            "payload->>'service_id' = $2", "provisioning.service.transferred", str(order.service_id))
    assert len(published) == 1
    payload = published[0]["payload"]
    payload = payload if isinstance(payload, dict) else json.loads(payload)
    assert (payload["from_client_id"], payload["to_client_id"], payload["transfer_id"]) == (
        str(a), str(b), transfer["id"])
    assert payload["event_id"] == str(audit[0]["event_id"])


async def test_p6_a2_both_accounts_must_have_their_identity_verified(served: Served) -> None:
    owner, unverified = await client_via_events(served), await client_via_events(served, verified=False)
    order = await active_service(served, owner.client_id, "verifica.com.ar")
    async with served.http() as http:
        # Issue 11: offering to an unverified client answers as to anyone; the recipient is checked when it accepts.
        offered = await offer(http, order.service_id, owner.client_id, to_email=unverified.profile.email)
        assert offered.status_code == 201, offered.text
        refused = await http.post(f"/transfers/{offered.json()['id']}/accept", headers=auth(unverified.client_id))
        assert (refused.status_code, problem_code(refused), refused.json()["client"]) == (
            409, "client-not-verified", "recipient")
        cancelled = await http.post(f"/transfers/{offered.json()['id']}/cancel", headers=auth(owner.client_id))
        assert cancelled.status_code == 200, cancelled.text
        to_self = await offer(http, order.service_id, owner.client_id, to_client_id=owner.client_id)
        assert to_self.status_code == 422
        for body in ({}, {"to_email": unverified.profile.email, "to_client_id": str(unverified.client_id)}):
            response = await http.post(f"/services/{order.service_id}/transfers", json=body,
                                       headers=auth(owner.client_id))
            assert (response.status_code, problem_code(response)) == (422, "invalid-input")
        # An owner whose own identity is not verified (its e-mail is) cannot offer either.
        other = await active_service(served, unverified.client_id, "sinverificar.com.ar")
        response = await offer(http, other.service_id, unverified.client_id, to_client_id=owner.client_id)
        assert (response.status_code, response.json()["client"]) == (409, "owner")
        # Once the gateway says staff approved the recipient's identity, it can accept.
        verified = ClientVerified(client_id=unverified.client_id, legal_name="Cliente de prueba")
        await publish_as_billing(verified)
        await wait_applied(served, verified.event_id)
        again = await offer(http, order.service_id, owner.client_id, to_client_id=unverified.client_id)
        assert again.status_code == 201, again.text
        accepted = await http.post(f"/transfers/{again.json()['id']}/accept", headers=auth(unverified.client_id))
        assert accepted.status_code == 200, accepted.text
        # The gateway's events in either order: verified first, registered after.
        late = registered()
        early = ClientVerified(client_id=late.client_id, legal_name="Cliente de prueba")
        await publish_as_billing(early)
        await wait_applied(served, early.event_id)
        await publish_as_billing(late)
        await wait_applied(served, late.event_id)
        third = await active_service(served, owner.client_id, "desorden.com.ar")
        assert (await offer(http, third.service_id, owner.client_id, to_email=late.profile.email)).status_code == 201


async def test_i11_an_offer_does_not_tell_whether_the_email_is_a_clients(served: Served) -> None:
    owner, recipient = await client_via_events(served), await client_via_events(served)
    unverified = await client_via_events(served, verified=False)
    orders = [await active_service(served, owner.client_id, f"enum{i}.com.ar") for i in range(3)]
    async with served.http() as http:
        answers = [await offer(http, order.service_id, owner.client_id, to_email=email) for order, email in zip(
            orders, (recipient.profile.email, unverified.profile.email, f"nadie-{uuid.uuid4().hex[:8]}@example.test"),
            strict=True)]
        volatile = {"id", "service_id", "domain", "to_email", "requested_at", "expires_at"}
        shapes = {json.dumps({k: v for k, v in a.json().items() if k not in volatile}, sort_keys=True)
                  for a in answers}
        assert [a.status_code for a in answers] == [201, 201, 201] and len(shapes) == 1, shapes
        assert all(a.json()["to_client_id"] is None for a in answers)
        # The unknown e-mail's offer reaches nobody: no one's list shows it but the owner's.
        assert answers[2].json()["id"] not in {t["id"] for t in (await http.get(
            "/transfers", headers=auth(recipient.client_id))).json()}


async def test_p6_only_an_active_service_with_no_unpaid_invoice_is_transferred(served: Served) -> None:
    owner, recipient = await client_via_events(served), await client_via_events(served)
    a, b = owner.client_id, recipient.client_id
    pending = ordered(a, domain="pendiente.com.ar")
    await publish_as_billing(pending)
    await wait_applied(served, pending.event_id)
    order = await active_service(served, a, "deudor.com.ar")
    renewal = issued(a, order.service_id, number="F-0101")
    # Paid before it was issued (out of order), and cancelled: neither is owed.
    early_paid = issued(a, order.service_id, number="F-0102")
    annulled = issued(a, order.service_id, number="F-0103")
    cancellation = InvoiceCancelled(invoice_id=annulled.invoice_id, client_id=a, number="F-0103", reason="staff")
    early_payment = renewal_paid(a, early_paid.invoice_id, reactivate=[])
    events = [renewal, early_payment, early_paid, annulled, cancellation]
    await publish_as_billing(*events)
    await wait_applied(served, *(e.event_id for e in events))
    async with served.http() as http:
        response = await offer(http, pending.service_id, a, to_client_id=b)
        assert (response.status_code, problem_code(response)) == (409, "service-not-transferable")
        response = await offer(http, order.service_id, a, to_client_id=b)
        assert (response.status_code, response.json()["invoices"]) == (409, ["F-0101"])
        payment = renewal_paid(a, renewal.invoice_id, reactivate=[])
        await publish_as_billing(payment)
        await wait_applied(served, payment.event_id)
        created = await offer(http, order.service_id, a, to_client_id=b)
        assert created.status_code == 201, created.text
        # Accepting checks again: an invoice issued meanwhile, here one whose line names no single service.
        bundle = issued(a, None, number="F-0104")
        await publish_as_billing(bundle)
        await wait_applied(served, bundle.event_id)
        response = await http.post(f"/transfers/{created.json()['id']}/accept", headers=auth(b))
        assert (response.status_code, response.json()["invoices"]) == (409, ["F-0104"])
        settled = renewal_paid(a, bundle.invoice_id, reactivate=[])
        # ... or the service suspended meanwhile.
        suspension = SuspensionDecided(client_id=a, service_ids=[order.service_id], invoice_id=uuid.uuid4(),
                                       rule="B-4")
        await publish_as_billing(settled, suspension)
        await wait_state(served, order.service_id, "suspended")
        response = await http.post(f"/transfers/{created.json()['id']}/accept", headers=auth(b))
        assert (response.status_code, problem_code(response)) == (409, "service-not-transferable")
        assert "suspended" in response.json()["detail"]
        listed = (await http.get("/transfers", headers=auth(b))).json()
        assert [t["status"] for t in listed] == ["pending"]  # refused, still open: either client may cancel it


async def test_p6_either_client_cancels_and_a_request_expires(served: Served) -> None:
    owner, recipient = await client_via_events(served), await client_via_events(served)
    a, b = owner.client_id, recipient.client_id
    order = await active_service(served, a, "arrepentido.com.ar")
    async with served.http() as http:
        first = (await offer(http, order.service_id, a, to_client_id=b)).json()
        duplicate = await offer(http, order.service_id, a, to_client_id=b)
        assert (duplicate.status_code, problem_code(duplicate)) == (409, "transfer-pending")
        declined = await http.post(f"/transfers/{first['id']}/cancel", headers=auth(b))
        assert declined.status_code == 200
        assert (declined.json()["status"], declined.json()["cancelled_by"]) == ("cancelled", str(b))
        for client in (a, b):
            assert (await http.post(f"/transfers/{first['id']}/accept", headers=auth(client))).status_code in (
                403, 409)
        assert (await http.post(f"/transfers/{first['id']}/cancel", headers=auth(a))).status_code == 409

        second = (await offer(http, order.service_id, a, to_client_id=b)).json()
        withdrawn = await http.post(f"/transfers/{second['id']}/cancel", headers=auth(a))
        assert (withdrawn.status_code, withdrawn.json()["cancelled_by"]) == (200, str(a))

        third = (await offer(http, order.service_id, a, to_client_id=b)).json()
        served.clock.advance(timedelta(days=served.app.state.runtime.settings.transfer_expiry_days, minutes=1))
        listed = {t["id"]: t["status"] for t in (await http.get("/transfers", headers=auth(a))).json()}
        assert listed == {first["id"]: "cancelled", second["id"]: "cancelled", third["id"]: "expired"}
        late = await http.post(f"/transfers/{third['id']}/accept", headers=auth(b))
        assert (late.status_code, late.json()["transfer_status"]) == (409, "expired")
        # An expired request no longer blocks a new one.
        fourth = await offer(http, order.service_id, a, to_client_id=b)
        assert fourth.status_code == 201, fourth.text
        assert (await http.post(f"/transfers/{fourth.json()['id']}/accept", headers=auth(b))).status_code == 200
    rows = await fetch(served.database_url, "SELECT id, status FROM service_transfers WHERE service_id = $1",
                       order.service_id)
    assert {str(r["id"]): r["status"] for r in rows} == {
        first["id"]: "cancelled", second["id"]: "cancelled", third["id"]: "expired",
        fourth.json()["id"]: "completed"}
    audited = await fetch(served.database_url, "SELECT action FROM service_audit WHERE service_id = $1 AND "
                          "action LIKE 'transfer%' ORDER BY id", order.service_id)
    assert [r["action"] for r in audited] == ["transfer_requested", "transfer_cancelled", "transfer_requested",
                                              "transfer_cancelled", "transfer_requested", "transfer_requested",
                                              "transfer"]
