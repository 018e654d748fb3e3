"""S-3 Decision: a ticket's warning and breach "notify staff"; S-7: "both sides are reminded". notify keeps who is
staff from the gateway's StaffRoleChanged and tells the right people: the assignee (or the appointment's staff
member), or every staff member while there is none; by e-mail and in their panel inbox, each in its own language
(es/en); once per event, channel and person."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from abono.events import AppointmentReminder, ClientProfile, ClientUpdated, StaffRoleChanged, TicketSlaFlagged
from abono.testing import wait_for

if TYPE_CHECKING:
    from conftest import EventFactory, Harness

DUE = datetime(2027, 1, 11, 13, 0, tzinfo=UTC)  # 10:00 in Buenos Aires


def staff(role: str = "staff", language: str = "es") -> StaffRoleChanged:
    tag = uuid.uuid4().hex[:8]
    return StaffRoleChanged(
        staff_id=uuid.uuid4(),
        role=role,
        profile=ClientProfile(email=f"staff-{tag}@alto.example.test", name=f"Agente {tag}", language=language),
    )


def flagged(*, stage: str = "breach", assigned_to: uuid.UUID | None = None) -> TicketSlaFlagged:
    return TicketSlaFlagged(
        ticket_id=uuid.uuid4(),
        client_id=uuid.uuid4(),
        code="K7QM4XZP2A",
        subject="Sitio caído",
        sla_class="SLA3",
        plan="full",
        deadline="first_response",
        stage=stage,
        due_at=DUE,
        priority="urgent" if stage == "breach" else "high",
        assigned_to=assigned_to,
    )


async def mail_to(notify: Harness, member: StaffRoleChanged, code: str) -> list:  # type: ignore[type-arg]
    return [m for m in notify.mailbox.to(member.profile.email) if code in m["Subject"]]


async def told(notify: Harness, event: TicketSlaFlagged) -> dict[uuid.UUID, set[str]]:
    rows = await notify.fetch("SELECT client_id, channel FROM messages WHERE event_id = $1", event.event_id)
    out: dict[uuid.UUID, set[str]] = {}
    for row in rows:
        out.setdefault(row["client_id"], set()).add(row["channel"])
    return out


async def test_s3_an_unassigned_breach_is_told_to_every_staff_member_in_its_language_once(notify: Harness) -> None:
    ana, bob, former = staff(), staff(role="admin", language="en"), staff()
    demoted = StaffRoleChanged(staff_id=former.staff_id, role="client", profile=former.profile)
    await notify.publish(ana, bob, former)
    await notify.wait_applied(ana, bob, former)
    await notify.publish(demoted)
    await notify.wait_applied(demoted)
    breach = flagged()
    await notify.publish(breach)
    await notify.wait_applied(breach)

    people = await told(notify, breach)
    assert people[ana.staff_id] == {"email", "panel"} and people[bob.staff_id] == {"email", "panel"}
    assert former.staff_id not in people and breach.client_id not in people  # the client is not told (not N-2)

    for member in (ana, bob):
        rows = await notify.fetch(
            "SELECT status FROM messages WHERE event_id = $1 AND client_id = $2 AND channel = 'email'",
            breach.event_id,
            member.staff_id,
        )
        assert len(rows) == 1

    async def both_mailed() -> bool:
        return bool(await mail_to(notify, ana, breach.code)) and bool(await mail_to(notify, bob, breach.code))

    await wait_for(both_mailed, what="the escalation mailed to both staff members")
    [es] = await mail_to(notify, ana, breach.code)
    [en] = await mail_to(notify, bob, breach.code)
    assert es["Subject"] == "[#K7QM4XZP2A] Plazo vencido (SLA3): Sitio caído"
    assert en["Subject"] == "[#K7QM4XZP2A] Deadline missed (SLA3): Sitio caído"
    text = es.get_body(preferencelist=("plain",)).get_content()
    assert "primera respuesta" in text and "11 de enero de 2027, 10:00 (hora de Argentina)" in text
    assert "Nadie lo tiene asignado" in text

    # Redelivered, even after the inbox forgot it: still one message per (event, channel, person).
    await notify.fetch("DELETE FROM inbox WHERE event_id = $1", breach.event_id)
    await notify.publish(breach)
    await notify.wait_applied(breach)
    rows = await notify.fetch(
        "SELECT 1 FROM messages WHERE event_id = $1 AND client_id = ANY($2::uuid[])",
        breach.event_id,
        [ana.staff_id, bob.staff_id],
    )
    assert len(rows) == 4


async def test_s3_an_assigned_ticket_warns_only_its_assignee_with_its_current_profile(notify: Harness) -> None:
    ana, bob = staff(), staff()
    await notify.publish(ana, bob)
    await notify.wait_applied(ana, bob)
    renamed = ClientUpdated(
        client_id=bob.staff_id, changed=["language"], profile=bob.profile.model_copy(update={"language": "en"})
    )
    await notify.publish(renamed)
    await notify.wait_applied(renamed)
    warning = flagged(stage="warning", assigned_to=bob.staff_id)
    await notify.publish(warning)
    await notify.wait_applied(warning)

    assert set(await told(notify, warning)) == {bob.staff_id}
    row = await notify.wait_status(warning.event_id, "email", "sent")
    assert row["language"] == "en" and row["address"] == bob.profile.email
    assert row["subject"] == "[#K7QM4XZP2A] Deadline near (SLA3): Sitio caído"
    assert "/staff/support/tickets/" in (await notify.messages(warning.event_id))["panel"]["body_text"]


async def test_s7_both_sides_are_reminded_the_staff_side_by_mail_and_panel(
    notify: Harness, events: EventFactory
) -> None:
    """S-7: an appointment reminder reaches the client (N-2) and the staff side: the appointment's staff member when
    it has one, else every staff member (the remote-support desk)."""
    ana, bob = staff(), staff(language="en")
    client_id, registered = events.new_client()
    await notify.publish(ana, bob, registered)
    await notify.wait_applied(ana, bob, registered)
    desk = AppointmentReminder(
        appointment_id=uuid.uuid4(),
        client_id=client_id,
        starts_at=DUE,
        ends_at=DUE + timedelta(hours=1),
        lead="day",
        topic="Configurar el correo",
    )
    mine = AppointmentReminder(
        appointment_id=uuid.uuid4(),
        client_id=client_id,
        starts_at=DUE,
        ends_at=DUE + timedelta(hours=1),
        lead="hour",
        topic="Correo",
        staff_id=bob.staff_id,
    )
    await notify.publish(desk, mine)

    async def all_told() -> bool:  # two consumers (the client's notices, the staff's) apply each event
        return len(await told(notify, desk)) >= 3 and len(await told(notify, mine)) == 2

    await wait_for(all_told, what="the client and the staff side reminded")
    people = await told(notify, desk)
    assert people[client_id] == {"email", "panel"}  # the client's own reminder (N-2)
    assert people[ana.staff_id] == {"email", "panel"} and people[bob.staff_id] == {"email", "panel"}
    assert set(await told(notify, mine)) == {client_id, bob.staff_id}
    rows = await notify.fetch(
        "SELECT subject, language, body_text FROM messages WHERE event_id = $1 AND client_id = $2 "
        "AND channel = 'email'",
        mine.event_id,
        bob.staff_id,
    )
    [row] = rows
    assert row["language"] == "en" and row["subject"].startswith("Remote assistance in an hour: January 11, 2027")
    panel = await notify.fetch(
        "SELECT body_text FROM messages WHERE event_id = $1 AND client_id = $2 AND channel = 'panel'",
        mine.event_id,
        bob.staff_id,
    )
    assert f"/staff/clients/{client_id}" in panel[0]["body_text"]  # the e-mail's links are tracked ones
