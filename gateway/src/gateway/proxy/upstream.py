"""The gateway's one client for the services: a pool of keep-alive HTTP/1.1 connections (`gateway.proxy.h1`).

It sends exactly the headers it is given plus `Host` and the body's framing (no `User-Agent`, `Accept` or cookie
jar of its own: bodies and headers pass through byte for byte), keeps at most `proxy_max_connections` connections
open to all services together, and never reuses one idle for `proxy_keepalive_seconds` or more (the services'
own keep-alive, uvicorn's 5 s, would close it under us). A request on a reused connection that the service had
already closed, before any of the answer arrived, is sent once more on a new one when its body can be sent again.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from functools import lru_cache
from urllib.parse import urlsplit

import structlog
from fastapi import FastAPI

from gateway.config import GatewaySettings, service_url_parts
from gateway.proxy.h1 import Connection, Disconnected, Refused

log = structlog.get_logger("gateway.proxy")

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Origin:
    """Where a service listens: host, port, the `Host` header and the path its URL starts with."""

    __slots__ = ("host", "host_header", "key", "port", "prefix")

    def __init__(self, url: str) -> None:
        parts = service_url_parts(url)
        self.host, self.port = parts.hostname or "", parts.port or 80  # a host there is: checked
        self.host_header = parts.netloc.encode("ascii")
        self.prefix = parts.path.rstrip("/")
        self.key = (self.host, self.port)


@lru_cache(maxsize=64)
def origin_of(base_url: str) -> Origin:
    return Origin(base_url)


def target_of(url: str) -> tuple[Origin, bytes]:
    """An absolute `http://` URL as its origin and request target."""
    parts = urlsplit(url)
    origin = origin_of(f"{parts.scheme}://{parts.netloc}")
    query = b"?" + parts.query.encode("latin-1") if parts.query else b""
    return origin, (parts.path or "/").encode("latin-1") + query


class Answer:
    """A service's answer: status and headers at once, the body read with `read` or `chunks`. Its connection goes
    back to the pool when the body has been read to the end, and is closed otherwise (`release`)."""

    __slots__ = ("_client", "_connection", "content_length", "headers", "status")

    def __init__(self, connection: Connection, client: UpstreamClient) -> None:
        self.status = connection.status
        self.headers = connection.headers
        self.content_length = connection.content_length
        self._connection: Connection | None = connection
        self._client = client

    async def read(self) -> bytes:
        assert self._connection is not None
        try:
            return await self._connection.read_all()
        finally:
            self.release()

    async def chunks(self) -> AsyncIterator[bytes]:
        assert self._connection is not None
        try:
            async for chunk in self._connection.chunks():
                yield chunk
        finally:
            self.release()

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._client.release(connection)


class UpstreamClient:
    def __init__(
        self, *, max_connections: int, keepalive_seconds: float, connect_timeout: float, read_timeout: float
    ) -> None:
        self._max = max_connections
        self._keepalive = keepalive_seconds
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._idle: dict[tuple[str, int], list[Connection]] = {}
        self._open: set[Connection] = set()
        self._opening = 0
        self._slot_waiters: deque[asyncio.Future[None]] = deque()

    async def request(
        self,
        origin: Origin,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes | AsyncIterator[bytes] | None = None,
        *,
        length: int | None = None,
    ) -> Answer:
        """Send `method target` with `headers` (no `Host`, `Content-Length` or `Transfer-Encoding`: the client sets
        them) and `body`: bytes, none, or a stream of `length` bytes (unknown: sent chunked). Raises `Refused` and
        `Disconnected` (both `UpstreamError`), `TimeoutError`, or what the body's stream raises."""
        chunked = body is not None and not isinstance(body, bytes) and length is None
        head = _head(method, origin, target, headers, body, length, chunked)
        head_only = method == "HEAD"
        connection, reused = await self._acquire(origin)
        try:
            await connection.exchange(head, body, chunked=chunked, head_only=head_only)
        except Disconnected as exc:
            self._discard(connection)
            if not reused or exc.answered or not (body is None or isinstance(body, bytes)):
                raise
            # The service had closed the pooled connection before reading this request (its keep-alive ran out, or
            # it crashed on the previous one): nothing reached it, so it goes again on a new connection.
            log.info("upstream_stale_connection_retried", host=origin.host, port=origin.port, error=str(exc))
            connection = await self._connect(origin)
            try:
                await connection.exchange(head, body, chunked=chunked, head_only=head_only)
            except BaseException:
                self._discard(connection)
                raise
        except BaseException:
            self._discard(connection)
            raise
        return Answer(connection, self)

    async def fetch(
        self, method: str, url: str, *, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, bytes]:
        """`method url` answered whole: its status and body (callers bound it with `asyncio.timeout`)."""
        origin, target = target_of(url)
        encoded = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
        answer = await self.request(origin, method, target, encoded, body)
        return answer.status, await answer.read()

    # -- the pool ------------------------------------------------------------------------------------------------

    async def _acquire(self, origin: Origin) -> tuple[Connection, bool]:
        """A pooled connection to `origin`, or a new one; with all `max_connections` busy, waits for one to be free
        for at most the connect timeout (then `TimeoutError`: a 504 rather than a request that hangs)."""
        deadline: float | None = None
        while True:
            connection = self._take_idle(origin)
            if connection is not None:
                return connection, True
            if len(self._open) + self._opening < self._max or self._close_one_idle():
                return await self._connect(origin), False
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + self._connect_timeout
            try:
                async with asyncio.timeout_at(deadline):
                    await self._slot_freed()
            except TimeoutError:
                message = f"all {self._max} connections to the services stayed busy for {self._connect_timeout:g} s"
                raise TimeoutError(message) from None

    async def _slot_freed(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._slot_waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._wake_one()  # woken, then cancelled: the free slot goes to the next in line
            raise

    def _take_idle(self, origin: Origin) -> Connection | None:
        idle = self._idle.get(origin.key)
        if not idle:
            return None
        now = asyncio.get_running_loop().time()
        while idle:
            connection = idle.pop()  # the most recently used first
            if not connection.closed and now - connection.idle_since < self._keepalive:
                return connection
            self._discard(connection)
        return None

    def _close_one_idle(self) -> bool:
        """Close an idle connection (to another service) to make room under the limit."""
        for idle in self._idle.values():
            if idle:
                self._discard(idle.pop(0))
                return True
        return False

    async def _connect(self, origin: Origin) -> Connection:
        loop = asyncio.get_running_loop()
        self._opening += 1
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, connection = await loop.create_connection(
                    lambda: Connection(loop, origin.key, self._read_timeout, self._forget), origin.host, origin.port
                )
        except TimeoutError:
            message = f"connecting to {origin.host}:{origin.port} took over {self._connect_timeout:g} s"
            raise TimeoutError(message) from None
        except OSError as exc:
            raise Refused(f"cannot connect to {origin.host}:{origin.port}: {exc.strerror or exc}") from exc
        finally:
            self._opening -= 1
            self._wake_one()
        self._open.add(connection)
        return connection

    def release(self, connection: Connection) -> None:
        """An exchange is over: keep the connection for the next request if it can carry one, else close it."""
        if not connection.reusable:
            self._discard(connection)
            return
        connection.idle_since = asyncio.get_running_loop().time()
        self._idle.setdefault(connection.key, []).append(connection)
        self._wake_one()

    def _discard(self, connection: Connection) -> None:
        connection.abort()
        self._forget(connection)

    def _forget(self, connection: Connection) -> None:
        """`connection` is closed or closing (by either side): it no longer counts, nor waits idle."""
        if connection in self._open:
            self._open.discard(connection)
            idle = self._idle.get(connection.key)
            if idle and connection in idle:
                idle.remove(connection)
            self._wake_one()

    def _wake_one(self) -> None:
        while self._slot_waiters:
            waiter = self._slot_waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def close(self) -> None:
        for connection in list(self._open):
            self._discard(connection)
        self._idle.clear()


def _head(
    method: str,
    origin: Origin,
    target: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes | AsyncIterator[bytes] | None,
    length: int | None,
    chunked: bool,
) -> bytes:
    parts = [method.encode("ascii"), b" ", origin.prefix.encode("latin-1"), target, b" HTTP/1.1\r\nHost: ",
             origin.host_header, b"\r\n"]
    for name, value in headers:
        parts += (name, b": ", value, b"\r\n")
    if isinstance(body, bytes):
        parts.append(b"Content-Length: %d\r\n" % len(body))
    elif chunked:
        parts.append(b"Transfer-Encoding: chunked\r\n")
    elif length is not None:
        parts.append(b"Content-Length: %d\r\n" % length)
    elif method in _BODY_METHODS:
        parts.append(b"Content-Length: 0\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


async def open_upstream(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    app.state.upstream = UpstreamClient(
        max_connections=settings.proxy_max_connections,
        keepalive_seconds=settings.proxy_keepalive_seconds,
        connect_timeout=settings.proxy_connect_timeout_seconds,
        read_timeout=settings.proxy_read_timeout_seconds,
    )


async def close_upstream(app: FastAPI) -> None:
    upstream: UpstreamClient | None = getattr(app.state, "upstream", None)
    if upstream is not None:
        upstream.close()


def upstream_of(app: FastAPI) -> UpstreamClient:
    client: UpstreamClient = app.state.upstream
    return client
