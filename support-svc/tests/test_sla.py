"""S-2 / S-3 through the served app: deadlines from the client's plan (learnt from billing's and provisioning's
events) on the class calendar, the resolution clock stopped while waiting on the client, and the scheduler's
warning and breach decided once each, with two schedulers running."""

import uuid
from datetime import datetime, timedelta

from support_testkit import BA, Served, auth, local, make_settings, staff

from abono.auth import Role
from abono.testing import serve, wait_for
from support.app import create_app


def as_local(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(BA).replace(second=0, microsecond=0)


async def test_s3_friday_1630_sla1_standard_is_due_the_next_business_day_holidays_honoured(served: Served) -> None:
    client = await served.new_client()
    # Friday 2026-12-04 16:30: 30 minutes that day; Monday 12-07 is a bridge day and Tuesday 12-08 a holiday, so the
    # other 7h30 are Wednesday's 7 hours and Thursday's first half hour.
    served.set_clock(local(2026, 12, 4, 16, 30))
    ticket = await served.open_ticket(client, sla_class="SLA1")
    assert ticket["plan"] == "standard"
    assert as_local(ticket["first_response_due_at"]) == local(2026, 12, 10, 10, 30)
    # The resolution deadline: 48 business hours from the client's message, on the same calendar.
    assert as_local(ticket["resolution_due_at"]) > as_local(ticket["first_response_due_at"])
    async with served.http() as http:
        # The desk works the bridge day (S-2 override, set by an admin): Monday counts, Tuesday is still a holiday.
        assert (await http.put("/calendar/overrides/2026-12-07", headers=staff(),
                               json={"kind": "working_day"})).status_code == 403  # staff read, admins change
        put = await http.put("/calendar/overrides/2026-12-07", headers=admin(),
                             json={"kind": "working_day", "note": "Guardia del puente"})
        assert put.status_code == 200
        try:
            served.set_clock(local(2026, 12, 4, 16, 30))
            again = await served.open_ticket(client, sla_class="SLA1")
            assert as_local(again["first_response_due_at"]) == local(2026, 12, 9, 10, 30)
        finally:
            assert (await http.delete("/calendar/overrides/2026-12-07", headers=admin())).status_code == 204
        history = (await http.get("/calendar/overrides/history", headers=staff())).json()
        assert [h["action"] for h in history[:2]] == ["calendar_override_removed", "calendar_override_set"]
        assert history[1]["details"]["after"] == {"kind": "working_day", "note": "Guardia del puente"}
        assert history[0]["details"]["before"] == history[1]["details"]["after"]
        assert (await http.put("/calendar/overrides/2026-12-07", headers=auth(client),
                               json={"kind": "day_off"})).status_code == 403


def admin() -> dict[str, str]:
    return auth(uuid.uuid4(), Role.ADMIN)


async def test_s3_plans_come_from_the_catalog_products_the_client_holds(served: Served) -> None:
    professional = await served.new_client(plan_product="support-professional")
    served.set_clock(local(2026, 11, 13, 16, 30))  # Friday
    ticket = await served.open_ticket(professional, sla_class="SLA4")
    assert ticket["plan"] == "professional"
    assert as_local(ticket["first_response_due_at"]) == local(2026, 11, 16, 11, 30)  # 30 min Fri + 1h30 Mon
    sla3 = await served.open_ticket(await served.new_client(), sla_class="SLA3")  # Standard, but SLA3: 2 hours
    assert as_local(sla3["first_response_due_at"]) == local(2026, 11, 13, 18, 30)
    async with served.http() as http:
        plan = (await http.get("/support-plan", headers=auth(professional))).json()
        assert plan == {"plan": "professional", "remote_support": True,
                        "first_response_minutes": {"standard": 480, "professional": 120, "full": 15},
                        "appointment_minutes": [30, 60], "appointment_change_cutoff_hours": 24}


async def test_s3_the_resolution_clock_stops_while_waiting_on_the_client(served: Served) -> None:
    client = await served.new_client()
    served.set_clock(local(2026, 11, 16, 10, 0))  # Monday
    ticket = await served.open_ticket(client, sla_class="SLA2")  # around the clock
    path = f"/tickets/{ticket['id']}"
    assert as_local(ticket["resolution_due_at"]) == local(2026, 11, 18, 10, 0)
    async with served.http() as http:
        served.set_clock(local(2026, 11, 16, 12, 0))
        await http.post(f"{path}/messages", headers=staff(), json={"message": "¿Qué error ve?",
                                                                   "status": "waiting_on_client"})
        paused = (await http.get(path, headers=auth(client))).json()
        assert paused["resolution_due_at"] is None and paused["next_deadline_at"] is None
        # Staff take it back a day later without a client message: 46 hours were left.
        served.set_clock(local(2026, 11, 17, 12, 0))
        resumed = (await http.patch(path, headers=staff(), json={"status": "open"})).json()
        assert as_local(resumed["resolution_due_at"]) == local(2026, 11, 19, 10, 0)
        # The client writes: 48 hours from its latest message.
        served.set_clock(local(2026, 11, 17, 15, 0))
        await http.post(f"{path}/messages", headers=auth(client), json={"message": "Error 500"})
        restarted = (await http.get(path, headers=auth(client))).json()
        assert as_local(restarted["resolution_due_at"]) == local(2026, 11, 19, 15, 0)


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_s3_full_plan_breach_after_15_minutes_escalated_once_with_two_schedulers(served: Served) -> None:
    client = await served.new_client(plan_product="support-full")
    start = local(2026, 11, 21, 3, 0)  # a Saturday night: SLA2 runs around the clock
    # Two replicas of their own whose clocks stand at `start` before their schedulers' first pass (the shared app's
    # scheduler may be in a pass at another test's instant when its clock is set).
    first, second = (create_app(make_settings(served.database_url, scheduler_poll_seconds=0.05,
                                              run_workers=False)) for _ in range(2))
    for replica in (first, second):
        replica.state.clock.set(start)
    served.set_clock(start)
    async with serve(first) as first_url, serve(second) as second_url:
        body = {"subject": "Caída del VPS", "sla_class": "SLA2", "message": "No responde"}
        async with served.http() as http:
            response = await http.post(f"{first_url}/tickets", json=body, headers=auth(client))
        ticket = response.json()
        assert ticket["plan"] == "full"
        due = datetime.fromisoformat(ticket["first_response_due_at"])
        assert timedelta(minutes=15) <= due - start < timedelta(minutes=16)
        flags = "SELECT deadline, stage FROM sla_flags WHERE ticket_id = $1 ORDER BY id"
        ticket_id = uuid.UUID(ticket["id"])

        async def flagged(*stages: str) -> bool:
            return [r["stage"] for r in await served.fetch(flags, ticket_id)] == list(stages)

        # Full's target is 15 minutes, so the warning (15 minutes before) is due at once.
        await wait_for(lambda: flagged("warning"), what="the warning")
        for replica in (first, second):
            replica.state.clock.set(start + timedelta(minutes=16))
        await wait_for(lambda: flagged("warning", "breach"), what="the breach")
        for replica in (first, second):  # more passes of both schedulers change nothing
            replica.state.clock.set(start + timedelta(minutes=30))
            await replica.state.scheduler.run_once()
        assert [tuple(r) for r in await served.fetch(flags, ticket_id)] == [
            ("first_response", "warning"), ("first_response", "breach")]
        events = await served.outbox("support.ticket.sla_flagged", ticket_id=ticket["id"])
        assert [(e["deadline"], e["stage"], e["priority"]) for e in events] == [
            ("first_response", "warning", "high"), ("first_response", "breach", "urgent")]
        async with served.http() as http:
            assert (await http.get(f"/tickets/{ticket['id']}", headers=staff())).json()["priority"] == "urgent"
            scraped = [(await http.get(f"{url}/metrics")).text for url in (first_url, second_url)]
        # Each flag these two replicas recorded (this ticket's, and older tickets' of other tests they found due) is
        # counted once, on the replica that recorded it.
        recorded = await served.fetch(
            "SELECT f.stage, count(*) AS n FROM sla_flags f JOIN tickets t ON t.id = f.ticket_id "
            "WHERE t.sla_class = 'SLA2' AND f.flagged_at BETWEEN $1 AND $2 GROUP BY f.stage",
            start, start + timedelta(minutes=31))
        name = "abono_support_sla_flags_total"
        for row in recorded:
            assert sum(_metric(text, name, stage=row["stage"], sla_class="SLA2") for text in scraped) == row["n"]
        assert {r["stage"] for r in recorded} == {"warning", "breach"}


async def test_s3_the_desk_queue_puts_breaching_tickets_first_assignment_canned_and_merge(served: Served) -> None:
    client = await served.new_client()
    served.set_clock(local(2026, 11, 23, 12, 0))
    late = await served.open_ticket(client, sla_class="SLA3", subject="Caído")  # 2 hours
    served.set_clock(local(2026, 11, 24, 12, 0))
    fresh = await served.open_ticket(client, sla_class="SLA2", subject="Mantenimiento")
    duplicate = await served.open_ticket(client, sla_class="SLA2", subject="Mantenimiento (otra vez)")
    agent = uuid.uuid4()
    async with served.http() as http:
        queue = (await http.get("/tickets", params={"queue": "true", "limit": 200}, headers=staff())).json()
        codes = [t["code"] for t in queue]
        assert codes.index(late["code"]) < codes.index(fresh["code"])
        assert all(t["status"] != "closed" for t in queue)
        assigned = await http.patch(f"/tickets/{fresh['id']}", headers=staff(), json={"assigned_to": str(agent)})
        assert assigned.json()["assigned_to"] == str(agent)
        mine = (await http.get("/tickets", params={"assigned_to": str(agent)}, headers=staff())).json()
        assert [t["id"] for t in mine] == [fresh["id"]]
        canned = await http.post("/canned-replies", headers=staff(),
                                 json={"title": f"Reinicio {uuid.uuid4().hex[:6]}", "body": "Reiniciamos el servicio."})
        assert canned.status_code == 201
        reply = await http.post(f"/tickets/{fresh['id']}/messages", headers=staff(),
                                json={"canned_reply_id": canned.json()["id"], "message": "Saludos."})
        assert reply.json()["body"] == "Reiniciamos el servicio.\n\nSaludos."
        merged = await http.post(f"/tickets/{duplicate['id']}/merge", headers=staff(),
                                 json={"into_ticket_id": fresh["id"]})
        assert merged.status_code == 200, merged.text
        kept = (await http.get(f"/tickets/{fresh['id']}", headers=auth(client))).json()
        bodies = [m["body"] for m in kept["messages"]]
        assert "Hola, no puedo entrar." in bodies and len(bodies) == 3
        gone = (await http.get(f"/tickets/{duplicate['id']}", headers=auth(client))).json()
        assert gone["status"] == "closed" and gone["merged_into"] == fresh["id"]
        refused = await http.post(f"/tickets/{duplicate['id']}/messages", headers=auth(client), json={"message": "x"})
        assert refused.status_code == 409
        assert (await http.patch(f"/tickets/{fresh['id']}", headers=auth(client), json={})).status_code == 403


async def test_s3_the_desk_filters_by_department_status_deadline_assignee_and_client(served: Served) -> None:
    """Issue 16 item 5: the console's queue filters; a client's own filters never reach another client's tickets."""
    client, other = await served.new_client(), await served.new_client()
    served.set_clock(local(2026, 11, 25, 12, 0))  # Wednesday, business hours
    error = await served.open_ticket(client, sla_class="SLA3", subject="Error 500")  # first response in 2 hours
    advice = await served.open_ticket(client, sla_class="SLA1", subject="Consulta")  # 8 business hours
    elsewhere = await served.open_ticket(other, sla_class="SLA3", subject="Otro cliente")
    agent = uuid.uuid4()
    async with served.http() as http:
        async def ids(**params: str) -> list[str]:
            found = await http.get("/tickets", params={"queue": "true", "limit": "200", **params}, headers=staff())
            assert found.status_code == 200, found.text
            return [t["id"] for t in found.json()]

        mine = await ids(client_id=str(client))
        assert set(mine) == {error["id"], advice["id"]}
        assert await ids(client_id=str(client), sla_class="SLA3") == [error["id"]]
        assert await ids(client_id=str(client), due_within_minutes="180") == [error["id"]]
        assert await ids(client_id=str(client), due_within_minutes="0") == []  # nothing missed yet
        await http.patch(f"/tickets/{advice['id']}", headers=staff(), json={"assigned_to": str(agent)})
        assert await ids(client_id=str(client), unassigned="true") == [error["id"]]
        assert await ids(assigned_to=str(agent)) == [advice["id"]]
        await http.post(f"/tickets/{error['id']}/close", headers=staff())
        assert await ids(client_id=str(client)) == [advice["id"]]  # the queue: not closed
        assert await ids(client_id=str(client), status="closed") == [error["id"]]
        negative = await http.get("/tickets", params={"due_within_minutes": "-5"}, headers=staff())
        assert negative.status_code == 422
        # A client's `client_id` is ignored: it still sees only its own.
        seen = (await http.get("/tickets", params={"client_id": str(other)}, headers=auth(client))).json()
        assert elsewhere["id"] not in {t["id"] for t in seen} and {t["id"] for t in seen} == {error["id"], advice["id"]}
