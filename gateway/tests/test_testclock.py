"""Test mode's platform clock (issue #2 part 6): admin only, forward only, persisted, pushed to every service."""

from datetime import UTC, datetime, timedelta

import httpx

from gateway.app import create_app

HOUR_US = 3_600_000_000


async def test_clock_routes_do_not_exist_outside_test_mode(api, make_settings):
    async with api.serve(create_app(make_settings(test_mode=False))) as url, httpx.AsyncClient(base_url=url) as http:
        token = (
            await http.post("/api/auth/login", json={"email": api.admin_email, "password": api.admin_password})
        ).json()["access_token"]
        assert (await http.get("/api/test/clock", headers=api.bearer(token))).status_code == 404
        assert (await http.post("/api/test/clock/advance", headers=api.bearer(token), json={})).status_code == 404
        assert (await http.get("/internal/test/clock")).status_code == 404


async def test_clock_is_admin_only(api):
    account = await api.account()
    assert (await api.client.get("/api/test/clock")).status_code == 401
    forbidden = await api.client.post("/api/test/clock/advance", headers=account.auth, json={"days": 1})
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"


async def test_advance_moves_persists_and_pushes_to_every_service(api, fake_service, make_settings):
    admin = api.bearer(await api.admin_token())
    before = (await api.client.get("/api/test/clock", headers=admin)).json()
    pushes = len(fake_service.clock_pushes)

    moved = await api.client.post("/api/test/clock/advance", headers=admin, json={"days": 2, "hours": 3})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["clock"]["offset_us"] == before["offset_us"] + 51 * HOUR_US
    acks = {ack["service"]: ack for ack in body["services"]}
    assert acks["fake"]["acknowledged"] is True and acks["billing"]["acknowledged"] is True
    assert acks["down"]["acknowledged"] is False and acks["down"]["error"]  # reported, not fatal
    new_pushes = fake_service.clock_pushes[pushes:]
    assert [p["offset_us"] for p in new_pushes] == [body["clock"]["offset_us"]] * 2
    assert new_pushes[0]["authorization"] == admin["Authorization"]  # the caller's token, forwarded

    stored = await api.db.fetchval("SELECT offset_us FROM test_clock WHERE id = 1")
    assert stored == body["clock"]["offset_us"]
    public = (await api.client.get("/internal/test/clock")).json()  # what services read at start-up
    assert public["offset_us"] == stored

    # A restarted gateway (here: a second one on the same database) starts at the stored offset.
    async with (
        api.serve(create_app(make_settings(admin_email=None, admin_password=None))) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        assert (await http.get("/internal/test/clock")).json()["offset_us"] == stored


async def test_clock_never_moves_back_by_advance_but_can_be_set(api):
    admin = api.bearer(await api.admin_token())
    assert (await api.client.post("/api/test/clock/advance", headers=admin, json={"days": -1})).status_code == 422
    assert (await api.client.post("/api/test/clock/advance", headers=admin, json={"days": "1"})).status_code == 422

    target = datetime(2031, 1, 15, 12, 0, tzinfo=UTC)
    response = await api.client.put("/api/test/clock", headers=admin, json={"now": target.isoformat()})
    assert response.status_code == 200, response.text
    now = datetime.fromisoformat(response.json()["clock"]["now"])
    assert abs(now - target) < timedelta(seconds=5)
    naive = await api.client.put("/api/test/clock", headers=admin, json={"now": "2031-01-15T12:00:00"})
    assert naive.status_code == 422


async def test_verification_links_expire_on_platform_time(api):
    user = await api.sign_up()
    token = await api.verification_token(user["id"])
    admin = api.bearer(await api.admin_token())
    await api.client.post("/api/test/clock/advance", headers=admin, json={"hours": 49})
    expired = await api.client.post("/api/auth/verify-email", json={"token": token})
    assert expired.status_code == 400
