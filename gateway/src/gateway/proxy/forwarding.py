"""Forwarding one request to a service and streaming its answer back, byte for byte.

Neither body is buffered: the request body is sent as it arrives, the response relayed as it comes, so uploads,
downloads and long-lived streams cost the gateway no memory. Webhook signatures survive because nothing is
re-encoded (body, path and query string stay exactly as received).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import aiohttp
import structlog
from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from multidict import CIMultiDict
from yarl import URL

from abono.errors import too_large_problem
from abono.guards import content_length
from gateway.config import GatewaySettings
from gateway.deps import Networks, client_ip, forwarded_chain, is_trusted
from gateway.errors import BadGateway, GatewayTimeout
from gateway.proxy.upstream import Attempt, upstream_of
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
    }
)
# Our own server adds these (and the request id) to every answer; the service's copies would be duplicates.
_REPLACED_ON_RESPONSE = frozenset({"date", "server", "x-request-id"})
# A response of known length up to this size is read whole and sent as one: far cheaper than a streamed
# response (no extra task per request); anything larger, or of unknown length, is streamed.
SMALL_BODY_BYTES = 64 * 1024
# Headers aiohttp would invent when the client did not send them.
_NO_AUTO_HEADERS = frozenset({"Accept", "Accept-Encoding", "User-Agent", "Content-Type"})


def _listed_in_connection(headers: list[tuple[str, str]]) -> set[str]:
    return {
        token.strip().lower() for name, value in headers if name.lower() == "connection" for token in value.split(",")
    }


def _end_to_end(headers: list[tuple[str, str]], also_drop: frozenset[str]) -> list[tuple[str, str]]:
    drop = HOP_BY_HOP | also_drop | _listed_in_connection(headers)
    return [(name, value) for name, value in headers if name.lower() not in drop]


def request_headers(request: Request, trusted: Networks, *, service: str) -> CIMultiDict[str]:
    """The client's end-to-end headers (Authorization included: services verify the JWT themselves) plus ours;
    `X-Forwarded-Prefix` tells the service the path the caller used (its errors' `instance`, #19 item 1)."""
    raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    headers: CIMultiDict[str] = CIMultiDict(_end_to_end(raw, _REPLACED_ON_REQUEST))
    from_proxy = request.client is not None and is_trusted(request.client.host, trusted)
    headers["X-Forwarded-For"] = ", ".join(forwarded_chain(request, trusted))
    headers["X-Forwarded-Proto"] = (from_proxy and request.headers.get("x-forwarded-proto")) or request.url.scheme
    headers["X-Forwarded-Host"] = (from_proxy and request.headers.get("x-forwarded-host")) or request.headers.get(
        "host", ""
    )
    headers["X-Forwarded-Prefix"] = f"/api/{service}"
    headers["X-Request-ID"] = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    return headers


class _BodyState:
    """How far the streamed request body got: whether it passed the limit, whether any of it was sent."""

    __slots__ = ("limit", "sent", "too_large")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sent = 0
        self.too_large = False


class _BodyTooLarge(Exception):
    pass


async def _request_body(request: Request, state: _BodyState) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:  # Starlette ends with b"": an empty write must not end a chunked upload early
            state.sent += len(chunk)
            if state.sent > state.limit:
                state.too_large = True
                raise _BodyTooLarge
            yield chunk


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return (length is not None and length != "0") or "transfer-encoding" in request.headers


async def _relay(response: aiohttp.ClientResponse, service: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.content.iter_any():
            yield chunk
    except (aiohttp.ClientError, TimeoutError):
        # The status is already sent: all we can do is break the connection so the client sees a cut answer.
        log.warning("upstream_body_interrupted", service=service, exc_info=True)
        raise
    finally:
        response.release()


async def _read_small(response: aiohttp.ClientResponse, service: str) -> bytes:
    try:
        return await response.read()
    except (aiohttp.ClientError, TimeoutError):
        log.warning("upstream_body_interrupted", service=service, exc_info=True)
        raise BadGateway(f"The {service} service broke off its answer.", service=service) from None
    finally:
        response.release()


def body_limit(settings: GatewaySettings, path: str) -> int:
    """The largest body the gateway takes for `path`: the upload routes' own limit, else the general one."""
    if any(path.startswith(prefix) for prefix in settings.upload_path_prefixes):
        return settings.upload_max_body_bytes
    return settings.max_body_bytes


async def forward(request: Request, *, service: str, base_url: str, upstream_path: str) -> Response:
    """Send `request` to `base_url + upstream_path` (same method, query string, body) and relay the answer."""
    settings: GatewaySettings = request.app.state.settings
    if is_lookup(settings.lookup_routes, request.method, request.url.path):
        ip = client_ip(request, settings.trusted_proxies)
        await enforce(
            sessionmaker=request.app.state.sessionmaker,
            now=request.app.state.clock.now(),
            checks=[(f"lookup:{ip}", settings.lookup_rate_limit)],
        )
    limit = body_limit(settings, request.url.path)
    declared = content_length(request.scope)
    if declared is not None and declared > limit:
        return too_large_problem(limit, request.url.path, close=True)  # refused before reading a byte of it
    query = request.scope.get("query_string", b"").decode("latin-1")
    # encoded=True: the path and query go out exactly as they came in (signed webhook URLs depend on it).
    url = URL(f"{base_url}{upstream_path}{'?' + query if query else ''}", encoded=True)
    state = _BodyState(limit)
    body: bytes | AsyncIterator[bytes] | None = None
    if declared is not None and 0 < declared <= SMALL_BODY_BYTES:
        body = await request.body()  # small: held whole, so a request on a stale connection can be sent again
    elif _has_body(request):
        body = _request_body(request, state)
    headers = request_headers(request, settings.trusted_proxies, service=service)
    started = time.perf_counter()
    attempt = Attempt()
    while True:
        try:
            upstream = await upstream_of(request.app).request(
                request.method,
                url,
                headers=headers,
                data=body,
                allow_redirects=False,
                skip_auto_headers=_NO_AUTO_HEADERS,
                trace_request_ctx=attempt,
            )
            break
        except TimeoutError:
            _observe(request, service, "504", started)
            raise GatewayTimeout(f"The {service} service did not answer in time.", service=service) from None
        except aiohttp.ClientError as exc:
            if state.too_large:
                _observe(request, service, "413", started)
                return too_large_problem(limit, request.url.path, close=True)
            if _may_resend(exc, attempt, body):
                # The service had closed the pooled connection before reading this request (its keep-alive ran
                # out, or it crashed on the previous one): nothing reached it, so it goes again on a new one.
                log.info("upstream_stale_connection_retried", service=service, error=str(exc))
                attempt.retried = True
                continue
            _observe(request, service, "502", started)
            log.warning("upstream_unreachable", service=service, error=str(exc))
            raise BadGateway(f"The {service} service is unreachable.", service=service) from None
    _observe(request, service, str(upstream.status), started)
    raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in upstream.raw_headers]
    response: Response
    if upstream.content_length is not None and upstream.content_length <= SMALL_BODY_BYTES:
        response = Response(await _read_small(upstream, service), status_code=upstream.status)
    else:
        response = StreamingResponse(_relay(upstream, service), status_code=upstream.status)
    # Replaces Response's own content-length: the service's headers are the truth (HEAD answers have no body).
    response.raw_headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in _end_to_end(raw, _REPLACED_ON_RESPONSE)
    ]
    return response


def _may_resend(exc: aiohttp.ClientError, attempt: Attempt, body: bytes | AsyncIterator[bytes] | None) -> bool:
    """Once, a request whose pooled connection turned out closed by the service before any answer, when its body
    can be sent again: RFC 9112 §9.3.1 lets a client retry then, since the service never processed it. A fresh
    connection that fails (the service is down) is not retried, nor a streamed body already partly consumed."""
    if attempt.retried or not attempt.reused or isinstance(exc, aiohttp.ClientConnectorError):
        return False
    if not isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
        return False
    return body is None or isinstance(body, bytes)


def _observe(request: Request, service: str, status: str, started: float) -> None:
    metrics = request.app.state.proxy_metrics
    metrics.requests.labels(service, status).inc()
    metrics.latency.labels(service).observe(time.perf_counter() - started)
