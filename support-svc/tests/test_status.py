"""S-4: the public status page (servers with what runs there, incidents and their updates, maintenance, uptime),
staff's incidents and maintenance, clients told when an incident on their server opens and is resolved, and the
health probe that opens and resolves an incident by itself against a real local server going down and back."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from support_testkit import Served, auth, local, staff

from abono.events import Event, ServiceActivated, ServiceOrdered
from abono.testing import free_port

STEP = timedelta(seconds=90)  # between probe passes: each server is checked every 30 s


async def place(served: Served, client_id: uuid.UUID, server: str, product: str) -> uuid.UUID:
    """A client's service as billing orders it and provisioning activates it on `server`."""
    service_id = uuid.uuid4()
    events: list[Event] = [
        ServiceOrdered(
            service_id=service_id,
            client_id=client_id,
            invoice_id=uuid.uuid4(),
            product_id=uuid.uuid4(),
            product_code=product.lower().replace(" ", "-"),
            product_name=product,
            kind="hosting",
            cycle="monthly",
            activation="automatic",
            driver="cpanel",
        ),
        ServiceActivated(service_id=service_id, client_id=client_id, reason="paid", server=server),
    ]
    await served.publish(*events)
    await served.wait_applied(*(e.event_id for e in events))
    return service_id


async def page(served: Served) -> dict[str, Any]:
    async with served.http() as http:
        response = await http.get("/status")  # no Authorization: public
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def server_of(body: dict[str, Any], name: str) -> dict[str, Any]:
    [server] = [s for s in body["servers"] if s["name"] == name]
    return server


async def test_s4_public_page_shows_incidents_with_updates_maintenance_and_uptime_and_tells_clients(
    served: Served,
) -> None:
    name = f"web-{uuid.uuid4().hex[:6]}"
    ana, beto, other = await served.new_client(), await served.new_client(), await served.new_client()
    ana_hosting = await place(served, ana, name, "Hosting Plus")
    ana_radio = await place(served, ana, name, "Radio Básica")
    await place(served, beto, name, "Hosting Plus")
    await place(served, other, f"elsewhere-{uuid.uuid4().hex[:6]}", "Hosting Plus")
    start = local(2030, 3, 10, 14, 0)
    served.set_clock(start)
    async with served.http() as http:
        put = await http.put(f"/status/servers/{name}", headers=staff(), json={"label": "Servidor Web 1"})
        assert put.status_code == 200, put.text
        assert (await http.put(f"/status/servers/{name}", headers=auth(ana), json={"label": "x"})).status_code == 403
        # A 60-minute incident ten days ago: 30-day uptime 100 * (1 - 60 / 43200) = 99.861%.
        served.set_clock(start - timedelta(days=10))
        old = (
            await http.post(
                "/status/incidents",
                headers=staff(),
                json={"server": name, "title": "Corte de red", "message": "Investigamos un corte."},
            )
        ).json()
        served.set_clock(start - timedelta(days=10) + timedelta(minutes=60))
        await http.post(
            f"/status/incidents/{old['id']}/updates",
            headers=staff(),
            json={"status": "resolved", "message": "Resuelto."},
        )
        served.set_clock(start)
        opened = await http.post(
            "/status/incidents",
            headers=staff(),
            json={"server": name, "title": "Lentitud en el servidor", "message": "Estamos investigando."},
        )
        assert opened.status_code == 201, opened.text
        incident = opened.json()
        identified = await http.post(
            f"/status/incidents/{incident['id']}/updates",
            headers=staff(),
            json={"status": "identified", "message": "Un disco falla."},
        )
        assert identified.json()["status"] == "identified"
        maintenance = await http.post(
            "/status/maintenance",
            headers=staff(),
            json={
                "server": name,
                "title": "Cambio de disco",
                "starts_at": (start + timedelta(days=3)).isoformat(),
                "ends_at": (start + timedelta(days=3, hours=1)).isoformat(),
            },
        )
        assert maintenance.status_code == 201, maintenance.text
        assert (
            await http.post(
                "/status/incidents", headers=staff(), json={"server": "no-such-server", "title": "x", "message": "x"}
            )
        ).status_code == 404
    body = await page(served)
    server = server_of(body, name)
    assert server["label"] == "Servidor Web 1" and server["state"] == "outage" and body["state"] == "outage"
    assert server["services"] == ["Hosting Plus", "Radio Básica"]
    assert server["uptime_30d"] == "99.861" and server["uptime_90d"] == "99.954"
    [shown] = [i for i in body["incidents"] if i["id"] == incident["id"]]
    assert [u["status"] for u in shown["updates"]] == ["identified", "investigating"]  # newest first
    assert [m["title"] for m in body["maintenance"] if m["server"] == name] == ["Cambio de disco"]
    assert str(ana) not in str(body)  # the public page names no client
    # Ana sees it on her services' pages; the other client's service is on another server.
    async with served.http() as http:
        mine = (await http.get("/status/mine", headers=auth(ana))).json()
        assert {s["service_id"] for s in mine} == {str(ana_hosting), str(ana_radio)}
        assert all(incident["id"] in [i["id"] for i in s["incidents"]] for s in mine)
        theirs = (await http.get("/status/mine", headers=auth(other))).json()
        assert all(i["server"] != name for s in theirs for i in s["incidents"])
        assert (await http.get("/status/mine")).status_code == 401
        served.set_clock(start + timedelta(hours=2))
        await http.post(
            f"/status/incidents/{incident['id']}/updates",
            headers=staff(),
            json={"status": "resolved", "message": "Disco reemplazado."},
        )
        again = await http.post(
            f"/status/incidents/{incident['id']}/updates",
            headers=staff(),
            json={"status": "monitoring", "message": "x"},
        )
        assert again.status_code == 409
    # N-2: each client with services there is told once when it opened and once when it was resolved.
    told = await served.outbox("support.incident.client_affected", incident_id=incident["id"])
    assert sorted((t["client_id"], t["stage"]) for t in told) == sorted(
        [(str(ana), "opened"), (str(beto), "opened"), (str(ana), "resolved"), (str(beto), "resolved")]
    )
    [ana_opened] = [t for t in told if t["client_id"] == str(ana) and t["stage"] == "opened"]
    assert sorted(ana_opened["service_ids"]) == sorted([str(ana_hosting), str(ana_radio)])
    assert server_of(await page(served), name)["state"] == "operational"


class LocalHttpServer:
    """A real HTTP server on a fixed loopback port that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server: asyncio.Server | None = None

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._answer, "127.0.0.1", self.port, reuse_address=True)

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@asynccontextmanager
async def running() -> AsyncIterator[LocalHttpServer]:
    server = LocalHttpServer()
    await server.start()
    try:
        yield server
    finally:
        if server._server is not None and server._server.is_serving():
            await server.stop()


async def test_s4_probe_opens_an_incident_after_n_failed_checks_and_resolves_it_when_checks_pass(
    served: Served,
) -> None:
    name = f"probe-{uuid.uuid4().hex[:6]}"
    client = await served.new_client()
    await place(served, client, name, "Hosting Plus")
    now = local(2030, 6, 2, 10, 0)
    served.set_clock(now)
    scheduler = served.app.state.scheduler

    async def check_once() -> dict[str, Any]:
        nonlocal now
        now += STEP  # past the interval whatever a pass takes (the set clock runs on in real time)
        served.set_clock(now)
        await scheduler.run_once()
        rows = await served.fetch(
            "SELECT id, status, source, started_at, resolved_at FROM incidents "
            "WHERE server_name = $1 ORDER BY started_at",
            name,
        )
        [server] = [s for s in (await page(served))["servers"] if s["name"] == name]
        return {"incidents": rows, "state": server["state"]}

    async with running() as web:
        async with served.http() as http:
            bad = await http.put(
                f"/status/servers/{name}",
                headers=staff(),
                json={"label": "Web 2", "probe_kind": "http", "probe_target": "ftp://x"},
            )
            assert bad.status_code == 422
            put = await http.put(
                f"/status/servers/{name}",
                headers=staff(),
                json={
                    "label": "Web 2",
                    "probe_kind": "http",
                    "probe_target": f"http://127.0.0.1:{web.port}/health",
                    "probe_interval_seconds": 30,
                    "probe_timeout_seconds": 2,
                    "failures_to_open": 3,
                },
            )
            assert put.status_code == 200, put.text
        assert (await check_once())["incidents"] == []  # up: nothing
        await web.stop()
        first_failure = now + STEP
        for _ in range(2):  # two failures: not yet
            assert (await check_once())["incidents"] == []
        seen = await check_once()  # the third opens it, dated from the first failed check
        [incident] = seen["incidents"]
        assert (incident["source"], incident["status"], incident["resolved_at"]) == ("probe", "investigating", None)
        assert abs(incident["started_at"] - first_failure) < timedelta(seconds=10) and seen["state"] == "outage"
        assert len((await check_once())["incidents"]) == 1  # still down: the same incident, no second one
        await served.outbox("support.incident.client_affected", incident_id=str(incident["id"]))
        await web.start()
        back = await check_once()
        [resolved] = back["incidents"]
        assert resolved["status"] == "resolved" and back["state"] == "operational"
        assert abs(resolved["resolved_at"] - now) < timedelta(seconds=10)
    told = await served.outbox("support.incident.client_affected", incident_id=str(incident["id"]))
    assert [(t["client_id"], t["stage"]) for t in told] == [(str(client), "opened"), (str(client), "resolved")]
    # A TCP probe on a port nobody listens on opens one too.
    async with served.http() as http:
        await http.put(
            f"/status/servers/{name}",
            headers=staff(),
            json={
                "label": "Web 2",
                "probe_kind": "tcp",
                "probe_target": f"127.0.0.1:{free_port()}",
                "failures_to_open": 1,
            },
        )
    assert len((await check_once())["incidents"]) == 2
