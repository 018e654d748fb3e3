"""Issue 11, the services' side: a handler's 500 leaves the connection open (no dead socket in a proxy's pool), and
request bodies are bounded (413 problem+json, before the body is read when its length is declared)."""

import asyncio
import json

import asyncpg
import httpx
from fastapi import FastAPI, Request

from abono.edge import ServiceEdge
from abono.errors import install_problem_handlers
from abono.metrics import ServiceMetrics
from abono.testing import PG_ADMIN_DSN, serve

LIMIT = 1000


def guarded_app(metrics: ServiceMetrics | None = None) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    metrics = metrics or ServiceMetrics("guarded")
    app.add_middleware(ServiceEdge, metrics=metrics, max_body_bytes=LIMIT, hsts=False)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    @app.get("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    return app


async def _read_response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    lines = head.lower().split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length"))
    return head, await reader.readexactly(length)


async def test_i11_a_500_keeps_the_connection_open():
    async with serve(guarded_app()) as url:
        host, port = url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for _ in range(3):
                writer.write(b"GET /crash HTTP/1.1\r\nHost: x\r\n\r\n")
                head, body = await _read_response(reader)
                assert head.startswith(b"HTTP/1.1 500")
                assert json.loads(body)["type"].endswith("/internal")
                assert b"connection: close" not in head.lower()
                # The same connection still serves the next request: uvicorn did not close it.
                writer.write(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
                head, body = await _read_response(reader)
                assert head.startswith(b"HTTP/1.1 200") and json.loads(body) == {"ok": True}
        finally:
            writer.close()


async def test_i11_bodies_over_the_limit_are_413_problems():
    async with serve(guarded_app()) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.post("/echo", content=b"x" * LIMIT)).json() == {"received": LIMIT}
        declared = await client.post("/echo", content=b"x" * (LIMIT + 1))
        assert declared.status_code == 413
        assert declared.headers["content-type"] == "application/problem+json"
        assert declared.json()["max_bytes"] == LIMIT

        async def chunks():
            for _ in range(4):
                yield b"y" * 400

        streamed = await client.post("/echo", content=chunks())
        assert streamed.status_code == 413
        assert streamed.json()["type"].endswith("/content-too-large")


async def test_i11_413_is_sent_before_the_body():
    async with serve(guarded_app()) as url:
        host, port = url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n")
        head, _ = await _read_response(reader)
        writer.close()
        assert head.startswith(b"HTTP/1.1 413")


async def test_i11_text_postgresql_cannot_store_is_422_not_500():
    """Found by schemathesis: valid JSON strings with a NUL (PostgreSQL refuses it) or a lone surrogate (no UTF-8
    encoder takes it) reached the database and answered 500."""
    app = guarded_app()

    @app.post("/store")
    async def store(body: dict[str, str]) -> dict[str, str]:
        connection = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            return {"stored": await connection.fetchval("SELECT $1::text", body["text"])}
        finally:
            await connection.close()

    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        for text in ("a\\u0000b", "a\\ud800b"):
            response = await client.post(
                "/store", content=f'{{"text": "{text}"}}', headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 422, (text, response.text)
            assert response.json()["type"].endswith("/invalid-input")
        assert (await client.post("/store", json={"text": "añb"})).json() == {"stored": "añb"}


async def test_i20_one_middleware_returns_the_request_id_the_security_headers_and_measures_each_route():
    """Issue 20: the request id, security headers, 500 guard, latency metric and body limit are one middleware
    (`ServiceEdge`); each answer, the guard's own 500 and 413 included, still carries the id and the headers, and
    the latency is recorded under the route's template with the status answered (500 when the app raised)."""
    metrics = ServiceMetrics("guarded")
    async with serve(guarded_app(metrics)) as url, httpx.AsyncClient(base_url=url) as client:
        ok = await client.get("/ok", headers={"X-Request-ID": "req-1"})
        crashed = await client.get("/crash")
        too_large = await client.post("/echo", content=b"x" * (LIMIT + 1))
    assert ok.headers["x-request-id"] == "req-1"
    for response in (ok, crashed, too_large):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-request-id"]
    assert (crashed.status_code, too_large.status_code) == (500, 413)

    def count(method: str, route: str, status: str) -> float | None:
        labels = {"method": method, "route": route, "status": status}
        return metrics.registry.get_sample_value("abono_guarded_http_request_duration_seconds_count", labels)

    assert count("GET", "/ok", "200") == 1
    assert count("GET", "/crash", "500") == 1
    assert count("POST", "unmatched", "413") == 1  # refused before routing, from its declared length
