"""Pure pieces: client address resolution and the OpenAPI merge."""

from ipaddress import ip_network

from starlette.requests import Request

from gateway.apidocs.merge import merge, namespace_service
from gateway.deps import client_ip, forwarded_chain
from gateway.proxy.endpoints import is_private
from gateway.proxy.forwarding import url_path


def request_from(peer: str, xff: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", xff.encode())] if xff else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 1234)})


def test_client_ip_ignores_forwarded_for_from_an_untrusted_peer():
    assert client_ip(request_from("203.0.113.9", "1.2.3.4"), []) == "203.0.113.9"
    assert forwarded_chain(request_from("203.0.113.9", "1.2.3.4"), []) == ["203.0.113.9"]


def test_client_ip_is_the_nearest_untrusted_hop_behind_trusted_proxies():
    trusted = [ip_network("10.0.0.0/8")]
    # The client may prepend lies; only what our own proxies appended counts.
    request = request_from("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1")
    assert client_ip(request, trusted) == "198.51.100.7"
    assert forwarded_chain(request, trusted) == ["6.6.6.6", "198.51.100.7", "10.0.0.1", "10.0.0.2"]
    assert client_ip(request_from("10.0.0.2"), trusted) == "10.0.0.2"


def test_namespacing_rewrites_refs_tags_and_security():
    doc = {
        "paths": {
            "/items": {
                "get": {
                    "operationId": "list",
                    "tags": ["items"],
                    "security": [{"bearer": []}],
                    "responses": {"200": {"$ref": "#/components/responses/Ok"}},
                }
            },
            "/healthz": {"get": {}},
            "/internal/test/clock": {"put": {}},
        },
        "components": {
            "schemas": {"Item": {"properties": {"child": {"$ref": "#/components/schemas/Item"}}}},
            "responses": {"Ok": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "tags": [{"name": "items", "description": "Items"}],
    }
    part = namespace_service("shop", doc)
    assert list(part["paths"]) == ["/api/shop/items"]
    operation = part["paths"]["/api/shop/items"]["get"]
    assert operation["operationId"] == "shop_list"
    assert operation["tags"] == ["shop: items"]
    assert operation["security"] == [{"shop.bearer": []}]
    assert operation["responses"]["200"] == {"$ref": "#/components/responses/shop.Ok"}
    item = part["components"]["schemas"]["shop.Item"]
    assert item["properties"]["child"] == {"$ref": "#/components/schemas/shop.Item"}
    assert part["tags"] == [{"name": "shop: items", "description": "Items"}]

    merged = merge({"openapi": "3.1.0", "info": {"title": "x"}, "paths": {}}, {"shop": doc, "gone": None})
    assert merged["info"]["x-abono-services"] == {"shop": "included", "gone": "unavailable"}
    assert "shop.Item" in merged["components"]["schemas"]


def test_private_service_routes_are_recognised_however_spelled():
    for path in ("/metrics", "//metrics", "/%6detrics", "/a/../metrics", "/./metrics", "/metrics/x"):
        assert is_private(path), path
    for path in ("/", "/clients/me", "/internal/test/clock", "/metrics-report", "/webhooks/stripe"):
        assert not is_private(path), path


def test_the_proxy_matches_limits_on_the_same_path_as_starlettes_url():
    # Rate-limited lookup routes and upload limits match `url_path(scope)`, read without building Starlette's URL
    # (issue 20): it must be `request.url.path` exactly, odd characters included.
    for path in ["/api/billing/invoices", "/api/a b/é", "/api/x?y", "/api/x#y", "/api/x\\y", "/api/x\ty\r\n", "/"]:
        scope = {"type": "http", "method": "GET", "path": path, "headers": [(b"host", b"gw.test")], "query_string": b""}
        assert url_path(scope) == Request(scope).url.path, path
