"""Issue 20: `GET /invoices` ("my invoices") is a hot route (abono.hotroutes): answered without FastAPI's routing and
dependency solving, but with everything else a request gets (request id, security headers, the latency metric under
the route's path, the app's own problem+json for a refused token), while the route's OpenAPI, HEAD and every other
method still go through FastAPI."""

import re

import httpx
from billing_helpers import auth, new_client


async def test_the_hot_route_answers_like_the_declared_one(billing: httpx.AsyncClient, billing_db: str) -> None:
    ana = await new_client(billing_db)
    hot = await billing.get("/invoices", headers={**auth(ana), "X-Request-ID": "hot-1"})
    assert hot.status_code == 200 and hot.json() == []
    assert hot.headers.get_list("x-request-id") == ["hot-1"]
    assert hot.headers["x-content-type-options"] == "nosniff" and hot.headers["cache-control"] == "no-store"
    # HEAD is not taken by the hot route: FastAPI answers it as it always did (its GET routes take no HEAD).
    head = await billing.head("/invoices", headers=auth(ana))
    assert head.status_code == 405 and head.headers["allow"] == "GET"


async def test_the_hot_route_refuses_a_missing_or_bad_token_with_the_apps_problem(billing: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic abc"}):
        refused = await billing.get("/invoices", headers=headers)
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 401 and refused.json()["instance"] == "/invoices"
        assert refused.headers["x-content-type-options"] == "nosniff"


async def test_other_methods_and_paths_still_take_fastapis_routes(billing: httpx.AsyncClient, billing_db: str) -> None:
    ana = await new_client(billing_db)
    assert (await billing.post("/invoices", headers=auth(ana))).status_code == 405
    assert (await billing.get("/invoices/not-a-uuid", headers=auth(ana))).status_code == 422
    paths = (await billing.get("/openapi.json")).json()["paths"]
    assert "get" in paths["/invoices"] and paths["/invoices"]["get"]["security"] == [{"bearerAuth": []}]


async def test_the_hot_route_is_measured_under_its_path(billing: httpx.AsyncClient, billing_db: str) -> None:
    def count(text: str) -> float:
        found = re.search(r'http_request_duration_seconds_count\{method="GET",route="/invoices",status="200"\} (\S+)',
                          text)
        return float(found.group(1)) if found else 0.0

    before = count((await billing.get("/metrics")).text)
    assert (await billing.get("/invoices", headers=auth(await new_client(billing_db)))).status_code == 200
    assert count((await billing.get("/metrics")).text) == before + 1
