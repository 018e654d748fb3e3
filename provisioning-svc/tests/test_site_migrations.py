"""P-8: a client asks to migrate a site into one of its active hosting services. "We migrate everything" stores the
old server's access encrypted and opens a staff task due in business days (P-3 calendar); staff reveal the access
(audited), note progress and finish; the client follows it. "I migrate it myself" asks nothing of staff. Another
client's service is refused as absent; staff endpoints refuse clients."""

import uuid
from datetime import UTC, datetime, timedelta

from provisioning_testkit import Served, auth, events_for, fetch, ordered, paid, publish_as_billing, wait_state

from abono.auth import Role

# Monday 22 March 2027, 10:00 in Buenos Aires. The 24th, 25th and 26th are holidays: two business days later is
# Monday the 29th.
OPENED = datetime(2027, 3, 22, 13, 0, tzinfo=UTC)
ACCESS = {"host": "cpanel.viejo-hosting.com", "username": "miweb", "password": "clave-vieja-9f3k", "notes": "2083"}


async def active_hosting(served: Served, client_id: uuid.UUID) -> uuid.UUID:
    order = ordered(client_id, domain=f"sitio{uuid.uuid4().hex[:6]}.com.ar")
    await publish_as_billing(order, paid(order))
    await wait_state(served, order.service_id, "active")
    return order.service_id


async def migration_rows(served: Served, service_id: uuid.UUID) -> list[dict[str, object]]:
    rows = await fetch(served.database_url, "SELECT * FROM migration_requests WHERE service_id = $1", service_id)
    return [dict(r) for r in rows]


async def test_p8_we_migrate_everything_is_an_encrypted_request_and_a_staff_task_due_in_business_days(
    served: Served,
) -> None:
    served.clock.set(OPENED)
    client_id, staff = uuid.uuid4(), auth(uuid.uuid4(), Role.STAFF)
    service_id = await active_hosting(served, client_id)
    async with served.http() as http:
        path = f"/services/{service_id}/migrations"
        # Bad input changes nothing: "we migrate everything" needs the old server's access.
        bad = await http.post(path, json={"mode": "staff"}, headers=auth(client_id))
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
        assert "P-8" not in bad.text
        assert await migration_rows(served, service_id) == []

        made = await http.post(path, json={"mode": "staff", "access": ACCESS}, headers=auth(client_id))
        assert made.status_code == 201, made.text
        request = made.json()
        assert (request["state"], request["due_on"], request["mode"]) == ("requested", "2027-03-29", "staff")
        assert "clave-vieja" not in made.text
        [row] = await migration_rows(served, service_id)
        assert row["access_encrypted"] and ACCESS["password"] not in str(row["access_encrypted"])
        assert ACCESS["host"] not in str(row["access_encrypted"])
        again = await http.post(path, json={"mode": "staff", "access": ACCESS}, headers=auth(client_id))
        assert again.status_code == 409 and len(await migration_rows(served, service_id)) == 1

        # The task sits in the P-3 queue with its deadline.
        tasks = (await http.get("/staff/tasks", headers=staff)).json()
        [task] = [t for t in tasks if t["service_id"] == str(service_id)]
        assert (task["kind"], task["due_on"]) == ("migrate", "2027-03-29")

        # Staff queue: no secrets in the list; overdue once the deadline passed.
        served.clock.advance(timedelta(days=8))
        listed = await http.get("/staff/migrations", headers=staff)
        assert listed.status_code == 200, listed.text
        assert "clave-vieja" not in listed.text and "miweb" not in listed.text
        [mine] = [m for m in listed.json() if m["id"] == request["id"]]
        assert mine["overdue"] is True and mine["client_id"] == str(client_id) and mine["task_id"] == task["id"]

        revealed = await http.post(f"/staff/migrations/{request['id']}/reveal", headers=staff)
        assert revealed.status_code == 200, revealed.text
        assert revealed.json() == ACCESS
        audit = await fetch(served.database_url, "SELECT action, actor_id FROM service_audit WHERE service_id = $1 "
                            "AND action = 'migration_access_revealed'", service_id)
        assert [r["actor_id"] for r in audit] != [] and audit[0]["actor_id"] is not None

        noted = await http.post(f"/staff/migrations/{request['id']}/progress", json={"note": "Archivos copiados"},
                                headers=staff)
        assert noted.status_code == 200, noted.text
        [seen] = (await http.get(path, headers=auth(client_id))).json()
        assert (seen["state"], seen["progress_note"]) == ("in_progress", "Archivos copiados")

        done = await http.post(f"/staff/migrations/{request['id']}/done", json={"note": "Listo"}, headers=staff)
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "done" and done.json()["overdue"] is False
        [seen] = (await http.get(path, headers=auth(client_id))).json()
        assert seen["state"] == "done" and seen["done_at"] is not None
        assert (await events_for(served.database_url, service_id)).count("provisioning.migration.done") == 1
        assert (await http.post(f"/staff/migrations/{request['id']}/done", json={}, headers=staff)).status_code == 409
        open_ids = [t["id"] for t in (await http.get("/staff/tasks", headers=staff)).json()]
        assert task["id"] not in open_ids


async def test_p8_i_migrate_it_myself_asks_nothing_of_staff(served: Served) -> None:
    client_id, staff = uuid.uuid4(), auth(uuid.uuid4(), Role.STAFF)
    service_id = await active_hosting(served, client_id)
    async with served.http() as http:
        made = await http.post(f"/services/{service_id}/migrations", json={"mode": "self"}, headers=auth(client_id))
        assert made.status_code == 201, made.text
        assert (made.json()["state"], made.json()["due_on"]) == ("self", None)
        [row] = await migration_rows(served, service_id)
        assert row["access_encrypted"] is None and row["task_id"] is None
        listed = (await http.get("/staff/migrations", params={"status": "all"}, headers=staff)).json()
        assert made.json()["id"] not in [m["id"] for m in listed]
        assert "provisioning.migration.done" not in await events_for(served.database_url, service_id)


async def test_p8_another_clients_service_is_refused_and_staff_endpoints_refuse_clients(served: Served) -> None:
    owner, intruder = uuid.uuid4(), uuid.uuid4()
    service_id = await active_hosting(served, owner)
    radio = ordered(owner, driver="http", kind="radio", domain=None)
    await publish_as_billing(radio, paid(radio))
    await wait_state(served, radio.service_id, "active")
    async with served.http() as http:
        not_hosting = await http.post(f"/services/{radio.service_id}/migrations", json={"mode": "self"},
                                      headers=auth(owner))
        assert not_hosting.status_code == 409 and not_hosting.headers["content-type"].startswith("application/problem")
        assert await migration_rows(served, radio.service_id) == []
        path = f"/services/{service_id}/migrations"
        refused = await http.post(path, json={"mode": "staff", "access": ACCESS}, headers=auth(intruder))
        assert refused.status_code == 404
        assert (await http.get(path, headers=auth(intruder))).status_code == 404
        assert await migration_rows(served, service_id) == []
        made = (await http.post(path, json={"mode": "staff", "access": ACCESS}, headers=auth(owner))).json()
        assert (await http.get("/staff/migrations", headers=auth(owner))).status_code == 403
        for action in ("reveal", "done"):
            denied = await http.post(f"/staff/migrations/{made['id']}/{action}", json={}, headers=auth(owner))
            assert denied.status_code == 403, action
        denied = await http.post(f"/staff/migrations/{made['id']}/progress", json={"note": "x"}, headers=auth(owner))
        assert denied.status_code == 403
        [row] = await migration_rows(served, service_id)
        assert row["progress_note"] is None
