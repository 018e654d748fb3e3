"""Issue 11 item 7: security headers on every kind of answer the gateway gives, and its /metrics kept for the
scraper."""

import httpx

from abono.guards import PAGE_CSP
from gateway.app import create_app


def _common(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["strict-transport-security"].startswith("max-age=")  # ABONO_ENVIRONMENT=test


async def test_i11_api_answers_are_not_stored_nor_sniffed(api):
    account = await api.account()
    answers = [
        await api.client.post("/api/auth/login", json={"email": account.email, "password": api.password}),
        await api.client.get("/api/auth/me", headers=account.auth),
        await api.client.get("/api/auth/me"),  # 401
        await api.client.get("/api/fake/things/1"),  # proxied (fast path) from a service that sets none of them
        await api.client.get("/api/down/x"),  # the gateway's own 502
        await api.client.post("/api/fake/echo/x", content=b"x" * (1024 * 1024 + 1)),  # its own 413
    ]
    for response in answers:
        _common(response)
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert len(response.headers.get_list("x-content-type-options")) == 1


async def test_i11_pages_get_a_strict_csp(api):
    panel = await api.client.get("/")  # the panel (or its "not built" page): whatever it serves outside /api
    _common(panel)
    assert panel.headers["content-security-policy"] == PAGE_CSP
    assert panel.headers["cache-control"] == "no-cache"  # the panel's own choice is kept
    docs = await api.client.get("/docs")
    _common(docs)
    policy = docs.headers["content-security-policy"]
    scripts = policy.split("script-src")[1].split(";")[0]
    assert "'sha256-" in scripts and "unsafe-inline" not in scripts


async def test_i11_the_gateways_metrics_are_for_the_scraper_only(api, make_settings):
    assert (await api.client.get("/metrics")).status_code == 200  # loopback, straight to the socket
    relayed = await api.client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 404
    app = create_app(make_settings())
    outside = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 5000)),
                                base_url="http://gateway")
    async with outside:
        response = await outside.get("/metrics")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


async def test_i11_a_method_the_gateway_does_not_route_is_405(api):
    for method, path, allowed in (
        ("DELETE", "/api/auth/login", "POST"),
        ("PUT", "/api/auth/signup", "POST"),
        ("POST", "/api/auth/me", "GET, PATCH"),
    ):
        response = await api.client.request(method, path)
        assert response.status_code == 405, (method, path, response.text)
        assert response.headers["allow"] == allowed
        assert response.headers["content-type"] == "application/problem+json"
    # A path the gateway does not have at all stays 404, without naming a "service".
    missing = await api.client.delete("/api/auth/nothing-here")
    assert missing.status_code == 404 and "service" not in missing.text
