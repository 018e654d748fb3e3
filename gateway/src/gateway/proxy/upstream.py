"""The one aiohttp session the gateway talks to the services with (FIELD-NOTES: httpx is slow as a proxy)."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp
from fastapi import FastAPI

from gateway.config import GatewaySettings


class Attempt:
    """One forwarded request's trace context: whether aiohttp gave it a pooled connection, and whether it was sent
    again already (forwarding resends a request once when a pooled connection turns out to be closed)."""

    __slots__ = ("retried", "reused")

    def __init__(self) -> None:
        self.reused = False
        self.retried = False


async def _on_reuse(
    session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceConnectionReuseconnParams
) -> None:
    attempt = context.trace_request_ctx
    if isinstance(attempt, Attempt):
        attempt.reused = True


async def _on_create(
    session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceConnectionCreateEndParams
) -> None:
    attempt = context.trace_request_ctx
    if isinstance(attempt, Attempt):
        attempt.reused = False


async def open_upstream(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    trace = aiohttp.TraceConfig()
    trace.on_connection_reuseconn.append(_on_reuse)
    trace.on_connection_create_end.append(_on_create)
    app.state.upstream = aiohttp.ClientSession(
        # An idle pooled connection is dropped before the service's own keep-alive timeout (uvicorn's: 5 s) would
        # close it under us: reusing a connection the service is closing answered 502 "Server disconnected".
        connector=aiohttp.TCPConnector(
            limit=settings.proxy_max_connections, keepalive_timeout=settings.proxy_keepalive_seconds
        ),
        trace_configs=[trace],
        timeout=aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.proxy_connect_timeout_seconds,
            sock_read=settings.proxy_read_timeout_seconds,
        ),
        # Bodies pass through byte for byte: no decompression, and no cookie jar, which would leak one
        # user's cookies into another user's requests through the shared session.
        auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
    )


async def close_upstream(app: FastAPI) -> None:
    upstream: aiohttp.ClientSession | None = getattr(app.state, "upstream", None)
    if upstream is not None:
        await upstream.close()


def upstream_of(app: FastAPI) -> aiohttp.ClientSession:
    session: aiohttp.ClientSession = app.state.upstream
    return session
