"""Issue 11: a service's 500 or an idle-closed connection never costs the next request a 502, and request bodies
are bounded at the gateway (413 problem+json before the body is read to the end)."""

import asyncio
import contextlib

import httpx
import uvicorn

from gateway.app import create_app
from gateway.proxy.forwarding import body_limit


@contextlib.asynccontextmanager
async def closing_after_one_answer():
    """A service that answers the first request on each connection (keep-alive, nothing says otherwise) and closes
    the connection when a second one arrives, unread: a keep-alive timeout that fired just as the proxy reused the
    connection. Yields its URL and the number of requests it answered."""
    answered = [0]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            body = await reader.readexactly(length)
            answered[0] += 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(body), body))
            await writer.drain()
            await reader.readuntil(b"\r\n\r\n")  # the next request on this connection: never answered
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}", answered


async def test_i11_a_post_after_a_500_never_gets_a_502(api):
    # The fake closes the connection after each 500 without saying so: the gateway's pool holds a dead socket and
    # the POST that follows lands on it. Before the fix 2-3 in 6 answered 502 "service unreachable".
    statuses = []
    for i in range(100):
        crashed = await api.client.post("/api/fake/crash", json={"i": i})
        assert crashed.status_code == 500
        after = await api.client.post("/api/fake/echo/after", json={"i": i})
        statuses.append(after.status_code)
    assert statuses == [200] * 100


async def test_i11_a_request_on_a_connection_the_service_closed_is_sent_again(api, make_settings):
    async with closing_after_one_answer() as (url, answered):
        settings = make_settings(service_urls={"flaky": url, "billing": url})
        async with api.serve(create_app(settings)) as gateway, httpx.AsyncClient(base_url=gateway) as client:
            for i in range(20):
                # POST is not idempotent: aiohttp itself never resends it; the gateway does, since it never arrived.
                response = await client.post("/api/flaky/orders", json={"i": i})
                assert response.status_code == 200, response.text
                assert response.json() == {"i": i}
                webhook = await client.post("/webhooks/stripe", content=b'{"w": %d}' % i)
                assert webhook.status_code == 200, webhook.text
            assert answered[0] == 40  # each request reached the service exactly once


async def test_i11_a_webhook_right_after_a_500_is_accepted(api):
    for i in range(20):
        assert (await api.client.get("/api/fake/crash")).status_code == 500
        webhook = await api.client.post(
            "/webhooks/stripe", content=b'{"id": "evt_%d"}' % i, headers={"Content-Type": "application/json"}
        )
        assert webhook.status_code == 200, webhook.text
        assert webhook.json()["body"] == f'{{"id": "evt_{i}"}}'


def test_i11_idle_connections_are_dropped_before_the_services_keep_alive_runs_out(make_settings):
    # uvicorn closes an idle connection after `timeout_keep_alive`; the gateway must let go of it first.
    assert make_settings().proxy_keepalive_seconds < uvicorn.Config(app=None).timeout_keep_alive


async def test_i11_a_body_over_the_limit_is_refused_with_413(api):
    limit = 1024 * 1024
    too_big = await api.client.post("/api/fake/echo/x", content=b"x" * (limit + 1))
    assert too_big.status_code == 413
    assert too_big.headers["content-type"] == "application/problem+json"
    assert too_big.json()["max_bytes"] == limit

    async def chunks():
        for _ in range(3):
            yield b"y" * (512 * 1024)

    streamed = await api.client.post("/api/fake/upload", content=chunks())
    assert streamed.status_code == 413
    # The gateway's own routes are bounded too.
    signup = await api.client.post("/api/auth/signup", content=b"{" + b" " * limit + b"}",
                                   headers={"Content-Type": "application/json"})
    assert signup.status_code == 413
    # Up to the limit passes.
    fits = await api.client.post("/api/fake/upload", content=b"z" * limit)
    assert fits.status_code == 200 and fits.json() == {"received": limit}


async def test_i11_413_comes_before_the_body_is_sent(gateway_url):
    # A client announces 100 MB and sends nothing: the answer must not wait for the body.
    host, port = gateway_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /api/fake/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100000000\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    writer.close()
    assert head.startswith(b"HTTP/1.1 413")
    assert b"connection: close" in head.lower()


def test_i11_upload_routes_have_their_own_limit(make_settings):
    settings = make_settings(upload_path_prefixes=["/api/support/attachments"], upload_max_body_bytes=5_000_000)
    assert body_limit(settings, "/api/support/attachments/1") == 5_000_000
    assert body_limit(settings, "/api/support/tickets") == settings.max_body_bytes == 1024 * 1024
