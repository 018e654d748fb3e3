"""S-1 tickets through real HTTP, PostgreSQL and RabbitMQ: codes, attachments by content, replies both ways,
internal notes, statuses, and who sees what."""

import base64
import re
import uuid

from support_testkit import PNG, Served, auth, staff

from abono.auth import Role


async def test_s1_a_client_opens_a_ticket_with_a_unique_code_and_sees_its_deadlines(served: Served) -> None:
    client = await served.new_client()
    png = base64.b64encode(PNG).decode()
    ticket = await served.open_ticket(client, subject="Mi sitio no carga", sla_class="SLA3",
                                      attachments=[{"filename": "captura.png", "content_base64": png}])
    assert re.fullmatch(r"[A-Z0-9]{10}", ticket["code"])
    assert ticket["status"] == "open" and ticket["plan"] == "standard" and ticket["channel"] == "panel"
    assert ticket["first_response_due_at"] and ticket["resolution_due_at"] and ticket["next_deadline_at"]
    [message] = ticket["messages"]
    assert message["author"] == "client" and message["attachments"][0]["content_type"] == "image/png"
    other = await served.open_ticket(client)
    assert other["code"] != ticket["code"]
    async with served.http() as http:
        listed = (await http.get("/tickets", headers=auth(client))).json()
        assert {t["code"] for t in listed} == {ticket["code"], other["code"]}
        download = await http.get(f"/tickets/{ticket['id']}/attachments/{message['attachments'][0]['id']}",
                                  headers=auth(client))
        assert download.status_code == 200 and download.content == PNG
        assert download.headers["content-type"] == "image/png"


async def test_s1_attachments_are_checked_by_content_not_by_name(served: Served) -> None:
    client = await served.new_client()
    exe = base64.b64encode(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff" * 10).decode()
    big = base64.b64encode(b"a" * (served.app.state.runtime.settings.attachment_max_bytes + 1)).decode()
    async with served.http() as http:
        for name, content in (("foto.png", exe), ("notas.txt", big), ("x.pdf", "not base64!")):
            response = await http.post("/tickets", headers=auth(client), json={
                "subject": "Adjunto", "sla_class": "SLA1", "message": "ver adjunto",
                "attachments": [{"filename": name, "content_base64": content}]})
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
        # A PDF named .txt is kept as what it is.
        ticket = (await http.post("/tickets", headers=auth(client), json={
            "subject": "Factura", "sla_class": "SLA1", "message": "adjunto",
            "attachments": [{"filename": "f.txt", "content_base64": base64.b64encode(b"%PDF-1.4\n...").decode()}],
        })).json()
        assert ticket["messages"][0]["attachments"][0]["content_type"] == "application/pdf"
        assert len((await http.get("/tickets", headers=auth(client))).json()) == 1  # the refused ones made nothing


async def test_s1_a_client_sees_only_its_own_tickets_and_staff_see_all(served: Served) -> None:
    ana, bruno = await served.new_client(), await served.new_client()
    ticket = await served.open_ticket(ana)
    async with served.http() as http:
        assert (await http.get(f"/tickets/{ticket['id']}", headers=auth(bruno))).status_code == 404
        refused = await http.post(f"/tickets/{ticket['id']}/messages", headers=auth(bruno), json={"message": "hola"})
        assert refused.status_code == 404
        assert all(t["client_id"] == str(bruno) for t in (await http.get("/tickets", headers=auth(bruno))).json())
        assert (await http.get(f"/tickets/{ticket['id']}", headers=staff())).status_code == 200
        # A client cannot name another client's service on its ticket.
        foreign = await http.post("/tickets", headers=auth(bruno), json={
            "subject": "Servicio", "sla_class": "SLA1", "message": "x", "service_id": str(uuid.uuid4())})
        assert foreign.status_code == 422
        assert (await http.get("/tickets")).status_code == 401


async def test_s1_replies_both_ways_internal_notes_and_statuses(served: Served) -> None:
    client = await served.new_client()
    ticket = await served.open_ticket(client)
    path = f"/tickets/{ticket['id']}"
    agent = uuid.uuid4()
    async with served.http() as http:
        note = await http.post(f"{path}/messages", headers=auth(agent, Role.STAFF),
                               json={"message": "Cliente con deuda, revisar", "internal": True})
        assert note.status_code == 201 and note.json()["internal"] is True
        reply = await http.post(f"{path}/messages", headers=auth(agent, Role.STAFF),
                                json={"message": "Ya revisamos su acceso.", "status": "waiting_on_client"})
        assert reply.status_code == 201
        seen = (await http.get(path, headers=auth(client))).json()
        assert [m["body"] for m in seen["messages"]] == ["Hola, no puedo entrar.", "Ya revisamos su acceso."]
        assert seen["status"] == "waiting_on_client" and seen["first_responded_at"]
        assert len((await http.get(path, headers=staff())).json()["messages"]) == 3  # staff see the note
        # The staff reply is mailed (notify consumes the event); the note is never.
        [event] = await served.outbox("support.ticket.replied", ticket_id=ticket["id"])
        assert event["body"] == "Ya revisamos su acceso." and event["code"] == ticket["code"]
        assert event["client_id"] == str(client)
        again = await http.post(f"{path}/messages", headers=auth(client), json={"message": "Sigue sin andar"})
        assert again.status_code == 201
        assert (await http.get(path, headers=auth(client))).json()["status"] == "open"
        # A client cannot write notes or set statuses.
        for body in ({"message": "x", "internal": True}, {"message": "x", "status": "closed"}):
            assert (await http.post(f"{path}/messages", headers=auth(client), json=body)).status_code == 404
        closed = await http.post(f"{path}/close", headers=auth(client))
        assert closed.json()["status"] == "closed" and closed.json()["next_deadline_at"] is None
        # Writing again reopens it.
        await http.post(f"{path}/messages", headers=auth(client), json={"message": "Volvió a fallar"})
        assert (await http.get(path, headers=auth(client))).json()["status"] == "open"


async def test_staff_find_a_ticket_by_its_code_or_words_of_its_subject(served: Served) -> None:
    """Issue 14 item 1: the console's search box reaches tickets."""
    client = await served.new_client()
    word = uuid.uuid4().hex[:10]  # as long as a code: looked up as one first, then found among the subjects' words
    ticket = await served.open_ticket(client, subject=f"Error 500 en la tienda {word}")
    follow_up = await served.open_ticket(client, subject=f"Sigue lo del ticket {ticket['code']}")
    async with served.http() as http:
        for q in (ticket["code"].lower(), f"TIENDA {word.upper()}", word):
            found = await http.get("/tickets", params={"q": q}, headers=staff())
            assert found.status_code == 200, found.text
            assert [t["id"] for t in found.json()] == [ticket["id"]], q  # a code typed whole: that ticket alone
        quoting = (await http.get("/tickets", params={"q": f"ticket {ticket['code']}"}, headers=staff())).json()
        assert [t["id"] for t in quoting] == [follow_up["id"]]
        short = await http.get("/tickets", params={"q": "ti", "client_id": str(client)}, headers=staff())
        assert short.status_code == 200 and short.json() == []  # two letters: no words of subjects by them
