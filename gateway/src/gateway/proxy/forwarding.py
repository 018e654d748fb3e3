"""Forwarding one request to a service and streaming its answer back, byte for byte.

Neither body is buffered: the request body is sent as it arrives, the response relayed as it comes, so uploads,
downloads and long-lived streams cost the gateway no memory. Webhook signatures survive because nothing is
re-encoded (body, path and query string stay exactly as received).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from functools import lru_cache

import structlog
from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from starlette.datastructures import URL as URLOf
from starlette.requests import ClientDisconnect
from starlette.types import Scope

from abono.errors import too_large_problem
from abono.guards import content_length
from gateway.config import GatewaySettings
from gateway.deps import Networks, chain_of, client_ip, is_trusted
from gateway.errors import BadGateway, GatewayTimeout
from gateway.proxy.h1 import UpstreamError
from gateway.proxy.metrics import ProxyMetrics
from gateway.proxy.upstream import Answer, Origin, origin_of, upstream_of
from gateway.ratelimit.service import enforce, is_lookup

log = structlog.get_logger("gateway.proxy")

# RFC 9110 §7.6.1: they describe one connection, not the message, and never cross a proxy.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Set by the gateway itself; a client's own values would let it lie about where it comes from.
_REPLACED_ON_REQUEST = frozenset(
    {
        "host",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "x-forwarded-prefix",
        "x-request-id",
        "expect",
        "content-length",  # the upstream client frames the body it sends
    }
)
# Our own server adds these (and the request id) to every answer; the service's copies would be duplicates.
_REPLACED_ON_RESPONSE = frozenset({"date", "server", "x-request-id"})
# A response of known length up to this size is read whole and sent as one: far cheaper than a streamed
# response (no extra task per request); anything larger, or of unknown length, is streamed.
SMALL_BODY_BYTES = 64 * 1024
# Characters Starlette's `request.url` escapes (`?`, `#`, a backslash) or drops (tab, CR, LF) in the path.
_UNUSUAL_IN_PATH = re.compile(r"[?#\\\t\r\n]")


_DROP_ON_REQUEST = frozenset(name.encode() for name in HOP_BY_HOP | _REPLACED_ON_REQUEST)
_DROP_ON_RESPONSE = frozenset(name.encode() for name in HOP_BY_HOP | _REPLACED_ON_RESPONSE)


def _end_to_end(headers: Iterable[tuple[bytes, bytes]], drop: frozenset[bytes]) -> list[tuple[bytes, bytes]]:
    """`headers` less `drop` and what a `Connection` header names (RFC 9110 §7.6.1), names in lower case."""
    lowered = [(name.lower(), value) for name, value in headers]
    listed = {
        token.strip().lower() for name, value in lowered if name == b"connection" for token in value.split(b",")
    }
    if listed:
        drop = drop | listed
    return [(name, value) for name, value in lowered if name not in drop]


def request_headers(request: Request, trusted: Networks, *, service: str) -> list[tuple[bytes, bytes]]:
    """The client's end-to-end headers (Authorization included: services verify the JWT themselves) plus ours;
    `X-Forwarded-Prefix` tells the service the path the caller used (its errors' `instance`, #19 item 1).

    Read from the ASGI scope in one pass and kept as bytes (Starlette's `Headers` and `URL` cost a proxied request
    ~5 % of the gateway's CPU, issue 20); uvicorn's parser has refused any CR or LF in them."""
    scope = request.scope
    kept = _end_to_end(scope["headers"], _DROP_ON_REQUEST)
    host = forwarded_proto = forwarded_host = None
    forwarded_for: list[str] = []
    for name, value in scope["headers"]:
        name = name.lower()
        if name == b"host":
            host = value if host is None else host
        elif name == b"x-forwarded-for":
            forwarded_for.append(value.decode("latin-1"))
        elif name == b"x-forwarded-proto":
            forwarded_proto = value if forwarded_proto is None else forwarded_proto
        elif name == b"x-forwarded-host":
            forwarded_host = value if forwarded_host is None else forwarded_host
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    from_proxy = client is not None and is_trusted(peer, trusted)
    request_id = scope.get("state", {}).get("request_id") or uuid.uuid4().hex
    kept += (
        (b"X-Forwarded-For", ", ".join(chain_of(peer, forwarded_for, trusted)).encode("latin-1")),
        (b"X-Forwarded-Proto", (from_proxy and forwarded_proto) or scope.get("scheme", "http").encode("latin-1")),
        (b"X-Forwarded-Host", (from_proxy and forwarded_host) or host or b""),
        (b"X-Forwarded-Prefix", b"/api/" + service.encode("latin-1")),
        (b"X-Request-ID", request_id.encode("latin-1")),
    )
    return kept


class _BodyTooLarge(Exception):
    pass


async def _request_body(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The client's body as it arrives, cut off with `_BodyTooLarge` once past `limit` bytes."""
    sent = 0
    async for chunk in request.stream():
        if chunk:  # Starlette ends with b"": an empty write must not end a chunked upload early
            sent += len(chunk)
            if sent > limit:
                raise _BodyTooLarge
            yield chunk


def _has_body(scope: Scope) -> bool:
    """A `Content-Length` other than 0 (the first one, as Starlette's `Headers.get` reads it) or a
    `Transfer-Encoding`."""
    length: bytes | None = None
    for name, value in scope["headers"]:
        if name == b"transfer-encoding":
            return True
        if name == b"content-length" and length is None:
            length = value
    return length is not None and length != b"0"


def url_path(scope: Scope) -> str:
    """`request.url.path` (what the rate limits and body limits match) without building Starlette's URL: the same
    string unless the path has a character the URL escapes or drops."""
    path: str = scope["path"]
    if _UNUSUAL_IN_PATH.search(path):
        return URLOf(scope=scope).path
    return path


@lru_cache(maxsize=4096)
def upstream_target(base_url: str, upstream_path: str, query: bytes) -> tuple[Origin, bytes]:
    """The service of `base_url` and the request target `upstream_path (+ ?query)`, built once per distinct target
    (issue 20). The path and query go out exactly as they came in (signed webhook URLs depend on it)."""
    return origin_of(base_url), upstream_path.encode("latin-1") + (b"?" + query if query else b"")


class Relayed(Response):
    """A service's small answer as it came (status, end-to-end headers, body): what Response's constructor would
    compute (content-length, content-type) is the service's already."""

    def __init__(self, body: bytes, status_code: int, headers: list[tuple[bytes, bytes]]) -> None:
        self.body, self.status_code, self.raw_headers, self.background = body, status_code, headers, None


async def _relay(answer: Answer, service: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in answer.chunks():
            yield chunk
    except (UpstreamError, TimeoutError):
        # The status is already sent: all we can do is break the connection so the client sees a cut answer.
        log.warning("upstream_body_interrupted", service=service, exc_info=True)
        raise


async def _read_small(answer: Answer, service: str) -> bytes:
    try:
        return await answer.read()
    except (UpstreamError, TimeoutError):
        log.warning("upstream_body_interrupted", service=service, exc_info=True)
        raise BadGateway(f"The {service} service broke off its answer.", service=service) from None


def body_limit(settings: GatewaySettings, path: str) -> int:
    """The largest body the gateway takes for `path`: the upload routes' own limit, else the general one."""
    if any(path.startswith(prefix) for prefix in settings.upload_path_prefixes):
        return settings.upload_max_body_bytes
    return settings.max_body_bytes


async def forward(request: Request, *, service: str, base_url: str, upstream_path: str) -> Response:
    """Send `request` to `base_url + upstream_path` (same method, query string, body) and relay the answer."""
    scope = request.scope
    app = scope["app"]
    settings: GatewaySettings = app.state.settings
    method: str = scope["method"]
    path = url_path(scope)
    if is_lookup(settings.lookup_routes, method, path):
        ip = client_ip(request, settings.trusted_proxies)
        await enforce(
            sessionmaker=app.state.sessionmaker,
            now=app.state.clock.now(),
            checks=[(f"lookup:{ip}", settings.lookup_rate_limit)],
        )
    limit = body_limit(settings, path)
    declared = content_length(scope)
    if declared is not None and declared > limit:
        return too_large_problem(limit, path, close=True)  # refused before reading a byte of it
    origin, target = upstream_target(base_url, upstream_path, scope.get("query_string", b""))
    body: bytes | AsyncIterator[bytes] | None = None
    if declared is not None and 0 < declared <= SMALL_BODY_BYTES:
        body = await request.body()  # small: held whole, so a request on a stale connection can be sent again
    elif _has_body(scope):
        body = _request_body(request, limit)
    headers = request_headers(request, settings.trusted_proxies, service=service)
    metrics: ProxyMetrics = app.state.proxy_metrics
    started = time.perf_counter()
    try:
        upstream = await upstream_of(app).request(origin, method, target, headers, body, length=declared or None)
    except TimeoutError:
        metrics.observe(service, "504", started)
        raise GatewayTimeout(f"The {service} service did not answer in time.", service=service) from None
    except _BodyTooLarge:
        metrics.observe(service, "413", started)
        return too_large_problem(limit, path, close=True)
    except ClientDisconnect:
        metrics.observe(service, "499", started)  # the client left mid-upload: nobody to answer
        return Response(status_code=499)
    except UpstreamError as exc:
        metrics.observe(service, "502", started)
        log.warning("upstream_unreachable", service=service, error=str(exc))
        raise BadGateway(f"The {service} service is unreachable.", service=service) from None
    metrics.observe(service, str(upstream.status), started)
    # The service's headers are the truth (its content-length included: HEAD answers have no body).
    relayed = _end_to_end(upstream.headers, _DROP_ON_RESPONSE)
    response: Response
    if upstream.content_length is not None and upstream.content_length <= SMALL_BODY_BYTES:
        response = Relayed(await _read_small(upstream, service), upstream.status, relayed)
    else:
        response = StreamingResponse(_relay(upstream, service), status_code=upstream.status)
        response.raw_headers = relayed
    return response
