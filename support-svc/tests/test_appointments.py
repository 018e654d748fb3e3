"""S-7 remote-support appointments: slots within business hours for plans that include remote support, no double
booking (PostgreSQL's exclusion constraint, even for two bookings at once), reminders the day and the hour before,
cancel and reschedule up to the cut-off."""

import asyncio
from datetime import datetime

from support_testkit import BA, Served, auth, local, staff


def at(*args: int) -> str:
    return local(*args).isoformat()


async def test_s7_two_concurrent_bookings_of_one_slot_give_one_appointment(served: Served) -> None:
    ana = await served.new_client(plan_product="support-professional")
    bruno = await served.new_client(plan_product="support-full")
    served.set_clock(local(2026, 11, 16, 9, 0))
    body = {"starts_at": at(2026, 11, 18, 14, 0), "minutes": 60, "topic": "Configurar el correo en Outlook"}
    async with served.http() as first, served.http() as second:
        results = await asyncio.gather(first.post("/appointments", json=body, headers=auth(ana)),
                                       second.post("/appointments", json=body, headers=auth(bruno)))
        assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
        taken = next(r for r in results if r.status_code == 409)
        assert taken.headers["content-type"] == "application/problem+json"
        # An overlapping shorter slot is refused too; the next free one is not.
        half = await first.post("/appointments", headers=auth(bruno), json={**body, "minutes": 30,
                                                                          "starts_at": at(2026, 11, 18, 14, 30)})
        assert half.status_code == 409
        after = await first.post("/appointments", headers=auth(bruno), json={**body,
                                                                           "starts_at": at(2026, 11, 18, 15, 0)})
        assert after.status_code == 201, after.text
        slots = (await first.get("/appointments/slots", params={"day": "2026-11-18"}, headers=auth(ana))).json()
        starts = {datetime.fromisoformat(s["starts_at"]).astimezone(BA).strftime("%H:%M") for s in slots}
        assert "14:00" not in starts and "15:00" not in starts and "14:30" not in starts
        assert {"10:00", "13:00", "16:00"} <= starts and "16:30" not in starts  # 60 minutes must end by 17:00
    rows = await served.fetch("SELECT count(*) AS n FROM appointments WHERE status = 'booked' AND "
                              "tstzrange(starts_at, ends_at) && tstzrange($1, $2)",
                              local(2026, 11, 18, 14, 0), local(2026, 11, 18, 15, 0))
    assert rows[0]["n"] == 1


async def test_s7_only_plans_with_remote_support_and_only_within_business_hours(served: Served) -> None:
    standard = await served.new_client()
    pro = await served.new_client(plan_product="support-professional")
    served.set_clock(local(2026, 11, 16, 9, 0))
    topic = {"topic": "Revisar el sitio", "minutes": 60}
    async with served.http() as http:
        refused = await http.post("/appointments", headers=auth(standard),
                                  json={**topic, "starts_at": at(2026, 11, 19, 10, 0)})
        assert refused.status_code == 403
        for when in (at(2026, 11, 19, 16, 30),  # ends after 17:00
                     at(2026, 11, 21, 11, 0),  # a Saturday
                     at(2026, 11, 23, 11, 0),  # a holiday (Soberanía Nacional, moved)
                     at(2026, 11, 19, 10, 10),  # off the 30-minute grid
                     at(2026, 11, 13, 11, 0),  # past
                     at(2027, 1, 20, 11, 0)):  # beyond the 30-day horizon
            response = await http.post("/appointments", headers=auth(pro), json={**topic, "starts_at": when})
            assert response.status_code == 422, (when, response.text)
        assert (await http.get("/appointments/slots", params={"day": "2026-11-23"}, headers=auth(pro))).json() == []
        assert (await http.get("/appointments", headers=auth(pro))).json() == []


async def test_s7_reminders_the_day_before_and_an_hour_before_once_each(served: Served) -> None:
    client = await served.new_client(plan_product="support-full")
    served.set_clock(local(2026, 11, 16, 9, 0))
    async with served.http() as http:
        booked = (await http.post("/appointments", headers=auth(client), json={
            "starts_at": at(2026, 11, 20, 11, 0), "minutes": 30, "topic": "Migrar el correo"})).json()
    scheduler = served.app.state.scheduler

    async def reminders() -> list[str]:
        return [e["lead"] for e in await served.outbox("support.appointment.reminder", appointment_id=booked["id"])]

    served.set_clock(local(2026, 11, 19, 10, 59))
    await scheduler.run_once()
    assert await reminders() == []
    served.set_clock(local(2026, 11, 19, 11, 1))
    await scheduler.run_once()
    await scheduler.run_once()
    assert await reminders() == ["day"]
    served.set_clock(local(2026, 11, 20, 10, 1))
    await scheduler.run_once()
    await scheduler.run_once()
    assert await reminders() == ["day", "hour"]
    [event] = [e for e in await served.outbox("support.appointment.reminder", appointment_id=booked["id"])
               if e["lead"] == "hour"]
    assert event["client_id"] == str(client) and event["topic"] == "Migrar el correo"


async def test_s7_cancel_and_reschedule_up_to_the_cut_off(served: Served) -> None:
    client = await served.new_client(plan_product="support-professional")
    other = await served.new_client(plan_product="support-professional")
    served.set_clock(local(2026, 11, 16, 9, 0))
    async with served.http() as http:
        booked = (await http.post("/appointments", headers=auth(client), json={
            "starts_at": at(2026, 11, 24, 10, 0), "minutes": 60, "topic": "Instalar WordPress"})).json()
        moved = await http.put(f"/appointments/{booked['id']}", headers=auth(client),
                               json={"starts_at": at(2026, 11, 24, 11, 0)})
        assert moved.status_code == 200, moved.text
        assert datetime.fromisoformat(moved.json()["starts_at"]) == local(2026, 11, 24, 11, 0)
        # The old slot is free again; the new one is not.
        assert (await http.post("/appointments", headers=auth(other), json={
            "starts_at": at(2026, 11, 24, 10, 0), "minutes": 60, "topic": "Otro tema"})).status_code == 201
        assert (await http.get(f"/appointments/{booked['id']}", headers=auth(other))).status_code == 404
        served.set_clock(local(2026, 11, 23, 11, 30))  # less than 24 hours before
        late = await http.post(f"/appointments/{booked['id']}/cancel", headers=auth(client))
        assert late.status_code == 409
        late_move = await http.put(f"/appointments/{booked['id']}", headers=auth(client),
                                   json={"starts_at": at(2026, 11, 24, 15, 0)})
        assert late_move.status_code == 409
        by_staff = await http.post(f"/appointments/{booked['id']}/cancel", headers=staff())
        assert by_staff.status_code == 200 and by_staff.json()["status"] == "cancelled"
        again = await http.post("/appointments", headers=auth(other), json={
            "starts_at": at(2026, 11, 24, 11, 0), "minutes": 60, "topic": "Ahora sí"})
        assert again.status_code == 201, again.text
