"""S-6 in support: staff send a quote from a ticket (QuoteAvailable for notify), the client accepts it once
(QuoteAccepted for billing), an expired one is refused."""

import uuid
from datetime import timedelta

from support_testkit import Served, auth, local, staff

QUOTE = {"title": "Tienda online", "currency": "USD", "lines": [
    {"description": "Hosting Plus", "quantity": 2, "unit_price_minor": 2500, "product_code": "hosting-plus",
     "cycle": "semiannual"},
    {"description": "Diseño de la tienda", "unit_price_minor": 40000}]}


async def test_s6_staff_send_a_quote_from_a_ticket_and_the_client_accepts_it_once(served: Served) -> None:
    client = await served.new_client()
    served.set_clock(local(2026, 11, 16, 11, 0))
    ticket = await served.open_ticket(client, subject="Presupuesto de tienda")
    async with served.http() as http:
        created = await http.post(f"/tickets/{ticket['id']}/quotes", headers=staff(), json=QUOTE)
        assert created.status_code == 201, created.text
        quote = created.json()
        assert quote["total"] == {"amount_minor": 45000, "currency": "USD"} and quote["status"] == "sent"
        assert quote["valid_until"] == "2026-12-01"  # 15 days by default
        assert [line["amount"]["amount_minor"] for line in quote["lines"]] == [5000, 40000]
        [available] = await served.outbox("support.quote.available", quote_id=quote["id"])
        assert available["number"] == quote["number"] and available["ticket_id"] == ticket["id"]
        # Only the client it is for sees and accepts it; staff cannot accept for it.
        assert (await http.get(f"/quotes/{quote['id']}", headers=auth(uuid.uuid4()))).status_code == 404
        assert (await http.post(f"/quotes/{quote['id']}/accept", headers=auth(uuid.uuid4()))).status_code == 404
        assert (await http.post(f"/quotes/{quote['id']}/accept", headers=staff())).status_code == 403
        assert [q["id"] for q in (await http.get("/quotes", headers=auth(client))).json()] == [quote["id"]]
        accepted = await http.post(f"/quotes/{quote['id']}/accept", headers=auth(client))
        assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
        again = await http.post(f"/quotes/{quote['id']}/accept", headers=auth(client))
        assert again.status_code == 409
    [event] = await served.outbox("support.quote.accepted", quote_id=quote["id"])
    assert event["client_id"] == str(client) and event["currency"] == "USD"
    assert [(line["product_code"], line["cycle"], line["quantity"], line["unit_price"]["amount_minor"])
            for line in event["lines"]] == [("hosting-plus", "semiannual", 2, 2500), (None, None, 1, 40000)]


async def test_s6_an_expired_quote_cannot_be_accepted(served: Served) -> None:
    client = await served.new_client()
    served.set_clock(local(2026, 11, 16, 11, 0))
    ticket = await served.open_ticket(client)
    async with served.http() as http:
        quote = (await http.post(f"/tickets/{ticket['id']}/quotes", headers=staff(),
                                 json={**QUOTE, "valid_until": "2026-11-17"})).json()
        served.set_clock(local(2026, 11, 17, 23, 59))  # still the last valid day in Buenos Aires
        assert (await http.get(f"/quotes/{quote['id']}", headers=auth(client))).json()["status"] == "sent"
        served.set_clock(local(2026, 11, 17, 23, 59) + timedelta(minutes=2))
        assert (await http.get(f"/quotes/{quote['id']}", headers=auth(client))).json()["status"] == "expired"
        refused = await http.post(f"/quotes/{quote['id']}/accept", headers=auth(client))
        assert refused.status_code == 409 and "expired" in refused.json()["detail"]
        assert await served.outbox("support.quote.accepted", quote_id=quote["id"]) == []
        # Bad quotes change nothing: a past validity, an unknown currency, a half catalog line, a negative price.
        for bad in ({**QUOTE, "valid_until": "2026-11-01"}, {**QUOTE, "currency": "XXX"},
                    {**QUOTE, "lines": [{"description": "x", "unit_price_minor": 1, "product_code": "vps-1"}]},
                    {**QUOTE, "lines": [{"description": "x", "unit_price_minor": -5}]}):
            response = await http.post(f"/tickets/{ticket['id']}/quotes", headers=staff(), json=bad)
            assert response.status_code == 422, (bad, response.text)
        assert len((await http.get("/quotes", params={"ticket_id": ticket["id"]}, headers=staff())).json()) == 1
