"""The reverse proxy (against a fake service served by uvicorn) and the merged OpenAPI document."""

import asyncio
import json


async def test_proxy_forwards_method_path_query_body_and_headers(api):
    response = await api.client.post(
        "/api/fake/echo/a%2Fb/c?x=1&y=%20two&x=3",
        content=b'{"raw": true}',
        headers={
            "Authorization": "Bearer some.jwt.value",
            "Content-Type": "application/json",
            "X-Request-ID": "req-123",
            "X-Forwarded-For": "6.6.6.6",
            "Connection": "keep-alive, X-Secret-Hop",
            "X-Secret-Hop": "1",
            "Keep-Alive": "timeout=5",
        },
    )
    assert response.status_code == 200, response.text
    seen = response.json()
    headers = {}
    for name, value in seen["headers"]:
        headers.setdefault(name, []).append(value)
    assert seen["method"] == "POST"
    assert seen["raw_path"] == "/echo/a%2Fb/c"  # still encoded
    assert seen["query"] == "x=1&y=%20two&x=3"
    assert seen["body"] == '{"raw": true}'
    assert headers["authorization"] == ["Bearer some.jwt.value"]
    assert headers["content-type"] == ["application/json"]
    assert headers["x-request-id"] == ["req-123"]
    # The gateway trusts no proxy by default: the client's own X-Forwarded-For is replaced by the peer.
    assert headers["x-forwarded-for"] == ["127.0.0.1"]
    assert headers["x-forwarded-proto"] == ["http"]
    assert "x-secret-hop" not in headers and "keep-alive" not in headers
    assert headers["host"] != [api.client.base_url.netloc.decode()]

    assert response.headers["x-upstream"] == "fake"
    assert "x-hop" not in response.headers  # named in the service's Connection header: hop-by-hop
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]

    assert response.headers.get_list("x-request-id") == ["req-123"]


async def test_proxy_passes_service_errors_through(api):
    response = await api.client.delete("/api/fake/echo/x?status=409")
    assert response.status_code == 409
    assert response.json()["method"] == "DELETE"


async def test_proxy_streams_the_response(api, fake_service):
    fake_service.release_stream.clear()
    async with api.client.stream("GET", "/api/fake/stream") as response:
        chunks = response.aiter_raw()
        # The service holds its second chunk until we have the first: a buffering proxy would never deliver it.
        first = await asyncio.wait_for(anext(chunks), 3)
        assert first == b"first\n"
        fake_service.release_stream.set()
        rest = b"".join([chunk async for chunk in chunks])
    assert rest == b"second\n"


async def test_proxy_relays_large_bodies_exactly_and_head_answers(api):
    big = await api.client.get("/api/fake/big")
    assert big.status_code == 200
    assert big.content == bytes(range(256)) * 1024
    assert big.headers["content-length"] == str(256 * 1024)
    head = await api.client.head("/api/fake/big")
    assert head.status_code == 200
    assert head.headers["content-length"] == str(256 * 1024) and head.content == b""


async def test_proxy_streams_the_request_body(api, fake_service):
    fake_service.upload_started.clear()

    async def body():
        yield b"x" * 1000
        # The service must have started reading before the client sends the rest: the body is not buffered.
        await asyncio.wait_for(fake_service.upload_started.wait(), 3)
        yield b"y" * 2000

    response = await api.client.post("/api/fake/upload", content=body())
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 3000}


async def test_webhooks_reach_billing_byte_for_byte(api):
    raw = b'{ "id":"evt_1",\n  "amount": 1000 }  '
    response = await api.client.post(
        "/webhooks/mercadopago?data.id=123&type=payment",
        content=raw,
        headers={"Content-Type": "application/json", "x-signature": "ts=1,v1=abc"},
    )
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["raw_path"] == "/webhooks/mercadopago"
    assert seen["query"] == "data.id=123&type=payment"
    assert seen["body"].encode("latin-1") == raw
    assert ["x-signature", "ts=1,v1=abc"] in seen["headers"]


async def test_proxy_errors_are_problems(api):
    down = await api.client.get("/api/down/anything")
    assert down.status_code == 502
    assert down.headers["content-type"] == "application/problem+json"
    assert down.json()["service"] == "down" and "down" in down.json()["detail"]

    slow = await api.client.get("/api/fake/slow")
    assert slow.status_code == 504
    assert slow.json()["service"] == "fake"

    # The services' unauthenticated /metrics is not reachable through the gateway, however the path is spelled.
    assert (await api.client.get("/api/fake/metrics")).status_code == 404
    assert (await api.client.get("/api/fake/%6Detrics")).status_code == 404

    unknown = await api.client.get("/api/nowhere/x")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_the_gateways_own_routes_win_over_the_proxy(api):
    # /api/auth/* is never proxied, even for a path the gateway does not have.
    assert (await api.client.get("/api/auth/nothing-here")).status_code == 404
    assert (await api.client.get("/api/auth/me")).status_code == 401


async def test_openapi_merges_the_services(api):
    response = await api.client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    paths = doc["paths"]
    assert "/api/auth/signup" in paths and "/api/auth/login" in paths
    assert "/api/fake/things/{thing_id}" in paths
    assert "/api/fake/healthz" not in paths  # operations routes are left out
    assert not any(path.startswith("/api/down") for path in paths)
    assert doc["info"]["x-abono-services"]["down"] == "unavailable"

    schemas = doc["components"]["schemas"]
    assert "fake.Thing" in schemas and "fake.HTTPValidationError" in schemas
    thing = paths["/api/fake/things/{thing_id}"]["get"]
    ok = thing["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/fake.Thing"}
    assert thing["tags"] == ["fake: things"]
    assert thing["operationId"].startswith("fake_")

    # Every $ref points at a component that exists.
    for ref in set(_refs(doc)):
        _, _, kind, name = ref.split("/", 3)
        assert name in doc["components"][kind], ref

    signup_errors = paths["/api/auth/signup"]["post"]["responses"]["429"]["content"]
    assert list(signup_errors) == ["application/problem+json"]

    swagger = await api.client.get("/docs")
    assert swagger.status_code == 200
    assert "/openapi.json" in swagger.text and "swagger" in swagger.text.lower()


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


async def test_proxy_counts_requests_per_service(api):
    metrics = await api.client.get("/metrics")
    assert 'abono_gateway_proxy_requests_total{service="fake",status="200"}' in metrics.text


async def test_proxied_requests_keep_request_ids_and_latency_metrics_on_the_fast_path(api):
    # The fast path (proxy/fastpath.py) skips the middlewares: it must still make and return a request id, pass
    # it to the service, and record the request under the proxy's route template.
    response = await api.client.get("/api/fake/echo/fast")
    assert response.status_code == 200
    made = response.headers.get_list("x-request-id")
    assert len(made) == 1 and len(made[0]) == 32
    assert ["x-request-id", made[0]] in response.json()["headers"]
    metrics = (await api.client.get("/metrics")).text
    assert 'abono_gateway_http_request_duration_seconds_count{method="GET",route="/api/{service}/{path:path}",' \
           'status="200"}' in metrics


async def test_an_unexpected_error_on_the_fast_path_is_a_problem_500_with_the_gateways_headers(api, monkeypatch):
    # The fast path sits outside Starlette's ServerErrorMiddleware and SecurityHeaders (issue 20): it answers the
    # 500 itself, as problem+json with the security headers and the request id, and the gateway keeps serving.
    import gateway.proxy.fastpath as fastpath

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug in the proxy")

    monkeypatch.setattr(fastpath, "forward", broken)
    response = await api.client.get("/api/fake/echo/boom", headers={"X-Request-ID": "req-boom"})
    monkeypatch.undo()
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/internal") and response.json()["status"] == 500
    assert response.headers.get_list("x-request-id") == ["req-boom"]
    assert response.headers["x-content-type-options"] == "nosniff" and response.headers["cache-control"] == "no-store"
    assert (await api.client.get("/api/fake/echo/after")).status_code == 200


def test_only_configured_services_outside_the_gateways_own_prefixes_take_the_fast_path(make_settings):
    from gateway.app import create_app
    from gateway.proxy.fastpath import ProxyFastPath

    app = create_app(make_settings())
    fast = ProxyFastPath(app, app, hsts=False)
    assert fast._service({"path": "/api/fake/things/1"}) == "fake"
    for path in ("/api/auth/me", "/api/test/clock", "/api/nowhere/x", "/api/fake", "/healthz", "/webhooks/x"):
        assert fast._service({"path": path}) is None, path


async def test_proxy_adds_no_header_the_client_did_not_send(gateway_url):
    # aiohttp would add Accept, Accept-Encoding, User-Agent and a body's Content-Type of its own; the proxy skips
    # them (issue 20: without building the skip list per request). A raw request sends none of them.
    host, port = gateway_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(b"POST /api/fake/echo/raw HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
        writer.write(b"hi")
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), answer
    names = {name.lower() for name, _ in json.loads(body)["headers"]}
    assert not names & {"accept", "accept-encoding", "user-agent", "content-type"}, names
