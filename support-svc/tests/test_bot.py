"""S-8 help bot: it answers from the knowledge base and asks whether that solved it; when it did not, the client
asks for a person and the conversation becomes one ticket carrying the transcript and the articles tried."""

import uuid

from support_testkit import Served, auth, staff


async def test_s8_the_bot_answers_from_the_kb_and_hands_off_to_a_ticket_with_the_transcript(served: Served) -> None:
    tag = uuid.uuid4().hex[:6]
    client = await served.new_client()
    async with served.http() as http:
        await http.put("/kb/categories/correo", headers=staff(), json={"name_es": "Correo", "name_en": "E-mail"})
        article = (
            await http.post(
                "/kb/articles",
                headers=staff(),
                json={
                    "slug": f"configurar-correo-{tag}",
                    "category": "correo",
                    "title": f"Configurar el correo {tag}",
                    "body_md": "Use **IMAP** en el puerto 993 y SMTP en el 465.",
                },
            )
        ).json()
        started = await http.post(
            "/bot/conversations", headers=auth(client), json={"message": f"configurar correo {tag}"}
        )
        assert started.status_code == 201, started.text
        chat = started.json()
        [asked, answered] = chat["turns"]
        assert asked["author"] == "client" and answered["author"] == "bot" and "resolvió" in answered["text"]
        assert [a["id"] for a in answered["articles"]] == [article["id"]]
        # Not solved: another question the KB cannot answer, then a person.
        chat = (
            await http.post(
                f"/bot/conversations/{chat['id']}/messages",
                headers=auth(client),
                json={"message": f"mi casilla rebota todo {tag}zz"},
            )
        ).json()
        assert chat["turns"][-1]["articles"] == [] and "ticket" in chat["turns"][-1]["text"]
        assert (await http.get(f"/bot/conversations/{chat['id']}", headers=auth(uuid.uuid4()))).status_code == 404
        handed = await http.post(f"/bot/conversations/{chat['id']}/handoff", headers=auth(client), json={})
        assert handed.status_code == 200, handed.text
        ticket_id = handed.json()["ticket_id"]
        assert ticket_id and handed.json()["status"] == "handed_off"
        again = (await http.post(f"/bot/conversations/{chat['id']}/handoff", headers=auth(client), json={})).json()
        assert again["ticket_id"] == ticket_id  # once
        ticket = (await http.get(f"/tickets/{ticket_id}", headers=auth(client))).json()
        closed = await http.post(
            f"/bot/conversations/{chat['id']}/messages", headers=auth(client), json={"message": "hola"}
        )
        assert closed.status_code == 409
    assert ticket["subject"] == f"configurar correo {tag}"
    [first] = ticket["messages"]
    body = first["body"]
    assert f"Cliente: configurar correo {tag}" in body and f"Cliente: mi casilla rebota todo {tag}zz" in body
    assert f"Artículos probados: Configurar el correo {tag}" in body
    rows = await served.fetch("SELECT count(*) AS n FROM tickets WHERE client_id = $1", client)
    assert rows[0]["n"] == 1
