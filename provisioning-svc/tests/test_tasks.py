"""P-3: a manual product becomes a staff task due in business days (Argentine calendar); the queue flags what is
overdue; completing the task activates the service with the access data staff entered (P-7)."""

import uuid
from datetime import UTC, date, datetime, timedelta

from provisioning_testkit import Served, auth, ordered, paid, publish_as_billing, service_state

from abono.auth import Role
from abono.testing import wait_for

# Monday 22 March 2027, 10:00 in Buenos Aires. The 24th (Memoria), 25th (Holy Thursday) and 26th (Good Friday)
# are holidays: three business days later is Tuesday the 30th.
OPENED = datetime(2027, 3, 22, 13, 0, tzinfo=UTC)


async def test_p3_a_manual_product_is_a_staff_task_due_in_business_days_and_completing_it_activates(
    served: Served,
) -> None:
    served.clock.set(OPENED)
    client_id, staff = uuid.uuid4(), auth(uuid.uuid4(), Role.STAFF)
    order = ordered(client_id, driver="staff-task", activation="manual", kind="news_portal", settings={},
                    domain="noticias.com.ar")
    await publish_as_billing(order, paid(order))
    async with served.http() as http:
        async def task_opened() -> list[dict[str, object]]:
            listed = await http.get("/staff/tasks", headers=staff)
            assert listed.status_code == 200, listed.text
            return [t for t in listed.json() if t["service_id"] == str(order.service_id)]

        async def has_task() -> bool:
            return bool(await task_opened())

        await wait_for(has_task, what="the set-up task to be opened")
        (task,) = await task_opened()
        assert (task["kind"], task["due_on"], task["overdue"]) == ("create", "2027-03-30", False)
        assert await service_state(served.database_url, order.service_id) == "pending"
        assert (await http.get("/staff/tasks", headers=auth(client_id))).status_code == 403

        # The day after the deadline it is flagged overdue.
        served.clock.advance(timedelta(days=9))
        overdue = (await http.get("/staff/tasks", params={"status": "overdue"}, headers=staff)).json()
        assert [t["overdue"] for t in overdue if t["id"] == task["id"]] == [True]
        assert date.fromisoformat(task["due_on"]) < served.clock.now().date()

        done = await http.post(f"/staff/tasks/{task['id']}/complete", headers=staff, json={
            "note": "Portal instalado", "panel_url": "https://noticias.com.ar/admin", "username": "editor",
            "password": "clave-del-portal",
        })
        assert done.status_code == 200, done.text
        assert done.json()["completed_at"] is not None and done.json()["overdue"] is False
        again = await http.post(f"/staff/tasks/{task['id']}/complete", headers=staff, json={})
        assert again.status_code == 409
        detail = (await http.get(f"/services/{order.service_id}", headers=auth(client_id))).json()
        assert detail["state"] == "active"
        assert detail["access"]["username"] == "editor" and detail["access"]["password"] == "clave-del-portal"
        assert (await http.get("/staff/tasks", headers=staff)).json() == [
            t for t in (await http.get("/staff/tasks", headers=staff)).json() if t["id"] != task["id"]]
