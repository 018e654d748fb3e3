"""The one aiohttp session the gateway talks to the services with (FIELD-NOTES: httpx is slow as a proxy)."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from contextvars import ContextVar

import aiohttp
from aiohttp.client_proto import ResponseHandler
from aiohttp.client_reqrep import ClientRequest
from aiohttp.connector import Connection
from aiohttp.tracing import Trace
from fastapi import FastAPI
from multidict import CIMultiDict, istr

from gateway.config import GatewaySettings

# Headers aiohttp would invent when the client did not send them: the proxy sends none of them.
NO_AUTO_HEADERS = frozenset({"Accept", "Accept-Encoding", "User-Agent", "Content-Type"})
_NO_AUTO = frozenset(istr(name) for name in NO_AUTO_HEADERS)
_NO_AUTO_SKIPPED: CIMultiDict[None] = CIMultiDict((name, None) for name in sorted(NO_AUTO_HEADERS))
# aiohttp adds its DEFAULT_HEADERS and a User-Agent unless skipped: with all of them skipped it adds nothing.
_NOTHING_TO_ADD = set(ClientRequest.DEFAULT_HEADERS) | {"User-Agent"} <= NO_AUTO_HEADERS


class Attempt:
    """One forwarded request's connection: whether aiohttp gave it a pooled connection, and whether it was sent
    again already (forwarding resends a request once when a pooled connection turns out to be closed)."""

    __slots__ = ("retried", "reused")

    def __init__(self) -> None:
        self.reused = False
        self.retried = False


# The attempt of the request being sent by this task: set by `forward` around the session's request.
CURRENT_ATTEMPT: ContextVar[Attempt | None] = ContextVar("gateway_upstream_attempt", default=None)


class _Connector(aiohttp.TCPConnector):
    """Tells the current `Attempt` whether its connection came from the pool. It used to be told by trace signals
    (`TraceConfig`), which cost every request a trace object and eight signals (issue 20)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._used: weakref.WeakSet[ResponseHandler] = weakref.WeakSet()

    async def connect(
        self, req: ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout  # noqa: ASYNC109 - aiohttp's
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        attempt = CURRENT_ATTEMPT.get()
        protocol = connection.protocol
        if attempt is not None and protocol is not None:
            attempt.reused = protocol in self._used
            self._used.add(protocol)
        return connection


class _Request(ClientRequest):
    """aiohttp's request, less the work of skipping its automatic headers for each proxied request (a sorted copy
    of the skip list and of the headers: ~5 % of the gateway's CPU, issue 20): when the proxy skips them all
    (`NO_AUTO_HEADERS`) none is added and the skip list is the one built here. Other callers are unchanged."""

    def update_auto_headers(self, skip_auto_headers: Iterable[str] | None) -> None:
        if _NOTHING_TO_ADD and skip_auto_headers is not None and skip_auto_headers == _NO_AUTO:
            self._skip_auto_headers = _NO_AUTO_SKIPPED  # only read by aiohttp (the body's Content-Type)
            return
        super().update_auto_headers(skip_auto_headers)


async def open_upstream(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    app.state.upstream = aiohttp.ClientSession(
        # An idle pooled connection is dropped before the service's own keep-alive timeout (uvicorn's: 5 s) would
        # close it under us: reusing a connection the service is closing answered 502 "Server disconnected".
        connector=_Connector(limit=settings.proxy_max_connections, keepalive_timeout=settings.proxy_keepalive_seconds),
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
        request_class=_Request,
    )


async def close_upstream(app: FastAPI) -> None:
    upstream: aiohttp.ClientSession | None = getattr(app.state, "upstream", None)
    if upstream is not None:
        await upstream.close()


def upstream_of(app: FastAPI) -> aiohttp.ClientSession:
    session: aiohttp.ClientSession = app.state.upstream
    return session
