"""Issue 14 items 1, 2 and 7 at the gateway: staff find clients by number, name, e-mail, phone; read a client's
profile; close an account with a reason, audited with who and when; a client token gets 403 everywhere."""

import uuid


async def test_staff_find_a_client_by_number_name_email_and_phone(api):
    tag = uuid.uuid4().hex[:8]
    client = await api.sign_up(name=f"Rocío Fernández {tag}", phone="+54 9 11 4321-9876")
    staff = api.bearer(await api.admin_token())
    by_name = await api.client.get("/api/auth/staff/clients", params={"q": f"fernández {tag}"}, headers=staff)
    assert by_name.status_code == 200, by_name.text
    [found] = by_name.json()
    assert found["id"] == client["id"] and found["number"] > 0 and found["verification"] is None

    for query in (f"C-{found['number']}", str(found["number"]), client["email"].upper()[:20], client["id"]):
        hits = (await api.client.get("/api/auth/staff/clients", params={"q": query}, headers=staff)).json()
        assert client["id"] in [h["id"] for h in hits], query
    by_phone = (await api.client.get("/api/auth/staff/clients", params={"q": "4321 9876"}, headers=staff)).json()
    assert client["id"] in [h["id"] for h in by_phone]
    assert (await api.client.get("/api/auth/staff/clients", params={"q": "x" * 101}, headers=staff)).status_code == 422



async def test_staff_search_a_whole_number_or_the_start_of_an_email_names_one_client_else_substrings(api):
    """Item 1: `C-<number>` and the start of an e-mail with its `@` are exact/prefix lookups (that client alone);
    when nobody has that start, the e-mail's substring still finds it."""
    tag = uuid.uuid4().hex[:10]
    client = await api.sign_up(name=f"Mateo Benítez {tag}", email=f"mateo.{tag}@Example.com")
    other = await api.sign_up(name=f"Mateo Benítez {tag}", email=f"x.mateo.{tag}@example.com")
    staff = api.bearer(await api.admin_token())

    async def ids(query: str) -> list[str]:
        found = await api.client.get("/api/auth/staff/clients", params={"q": query}, headers=staff)
        assert found.status_code == 200, found.text
        return [h["id"] for h in found.json()]

    assert await ids(client["email"]) == [client["id"]]  # that client, not the one whose e-mail contains it
    assert await ids(f"MATEO.{tag}@") == [client["id"]]
    assert set(await ids(f"mateo.{tag}")) == {client["id"], other["id"]}  # no `@`: substrings, both
    assert set(await ids(f"o.{tag}@example")) == {client["id"], other["id"]}  # no e-mail starts so: substrings
    [summary] = (await api.client.get("/api/auth/staff/clients", params={"q": client["email"]}, headers=staff)).json()
    assert await ids(f"c-{summary['number']}") == [client["id"]]
    assert await ids("1 2") == []  # too few digits for a phone, and nothing else


async def test_staff_close_an_account_with_a_reason_and_the_audit_trail_says_who_and_when(api):
    client = await api.account()
    token = await api.admin_token()
    staff = api.bearer(token)
    me = (await api.client.get("/api/auth/me", headers=staff)).json()
    closed = await api.client.post(
        f"/api/auth/staff/clients/{client.id}/close", headers=staff, json={"reason": "Lo pidió por ticket"}
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_at"] is not None and closed.json()["closed_reason"] == "staff"
    assert (
        await api.client.post("/api/auth/login", json={"email": client.email, "password": client.password})
    ).status_code == 403
    trail = (await api.client.get("/api/auth/staff/audit", params={"client_id": client.id}, headers=staff)).json()
    assert [(e["action"], e["actor_id"], e["actor_email"], e["details"]["reason"]) for e in trail] == [
        ("close_account", me["id"], me["email"], "Lo pidió por ticket")
    ]
    assert trail[0]["at"]
    profile = (await api.client.get(f"/api/auth/staff/clients/{client.id}", headers=staff)).json()
    assert profile["closed_reason"] == "staff"


async def test_a_client_token_gets_403_on_every_staff_endpoint_of_the_gateway(api):
    client = await api.account()
    other = uuid.uuid4()
    for method, path, body in (
        ("GET", "/api/auth/staff/clients?q=ana", None),
        ("GET", f"/api/auth/staff/clients/{other}", None),
        ("POST", f"/api/auth/staff/clients/{other}/close", {"reason": "nope nope"}),
        ("GET", "/api/auth/staff/audit", None),
        ("GET", "/api/auth/staff/work", None),
    ):
        response = await api.client.request(method, path, json=body, headers=client.auth)
        assert response.status_code == 403, (path, response.text)
