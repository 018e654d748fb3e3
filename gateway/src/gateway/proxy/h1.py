"""One keep-alive HTTP/1.1 connection from the gateway to a service: a request at a time, its answer parsed by
httptools (llhttp, uvicorn's parser), both bodies streamed with flow control.

Issue 20: aiohttp's client was ~35 % of the gateway's CPU at 1,500 proxied requests a second (py-spy); this protocol
does only what the proxy needs. `gateway.proxy.upstream` pools these connections.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable

import httptools

# A streamed answer stops being read from the socket past HIGH unread bytes, and resumes under LOW.
_HIGH_WATER = 256 * 1024
_LOW_WATER = 64 * 1024
_CONTENT_LENGTH = b"content-length"
_TRANSFER_ENCODING = b"transfer-encoding"


class UpstreamError(Exception):
    """The service could not be reached, or its answer was cut or malformed."""


class Refused(UpstreamError):
    """No connection could be opened to the service."""


class Disconnected(UpstreamError):
    """The connection ended before the answer did. `answered`: some of the answer had arrived (without any, a
    request on a reused connection never reached the service: RFC 9112 §9.3.1)."""

    def __init__(self, message: str, *, answered: bool) -> None:
        super().__init__(message)
        self.answered = answered


class _UnaskedAnswer(Exception):
    """Bytes past the end of the answer (raised in a parser callback: httptools reports it as a parser error)."""


class Connection(asyncio.Protocol):
    """The state of one exchange at a time: `exchange` sends a request and waits for its answer's head; the body is
    then read with `read_all` or `chunks`. Futures exist only while someone awaits them, so an error nobody waits
    for is kept in `_error` rather than left in a future nobody reads."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        key: tuple[str, int],
        read_timeout: float,
        on_close: Callable[[Connection], None],
    ) -> None:
        self._loop = loop
        self.key = key  # the service's host and port
        self._read_timeout = read_timeout
        self._on_close = on_close
        self._transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._parser: httptools.HttpResponseParser | None = None
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.content_length: int | None = None
        self.answered = False  # a byte of the answer arrived
        self._chunked = False
        self._informational = False
        self._head_only = False
        self._complete = False  # the answer's body is all in
        self._keep_alive = False
        self._unsent = False  # the request body was cut short (the service answered before it all went)
        self._error: BaseException | None = None
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._waiter: asyncio.Future[None] | None = None
        self._write_paused = False
        self._read_paused = False
        self._active = 0.0  # loop time of the last progress either way (the read timeout counts from it)
        self._timer: asyncio.TimerHandle | None = None

    @property
    def reusable(self) -> bool:
        """Whether it may carry the next request: the whole answer read, the whole request sent, kept alive."""
        return self._complete and self._keep_alive and not self._unsent and not self.closed and not self._chunks

    # -- the exchange --------------------------------------------------------------------------------------------

    async def exchange(
        self, head: bytes, body: bytes | AsyncIterator[bytes] | None, *, chunked: bool, head_only: bool
    ) -> None:
        """Send the request (`head` ends with its blank line; `chunked`: frame the streamed body in chunks) and wait
        for the answer's status and headers. Raises `Disconnected`, `TimeoutError`, or what the body's iterator
        raises; the caller then aborts the connection."""
        if self.closed:
            raise Disconnected("the service closed the connection", answered=False)
        self._reset()
        self._head_only = head_only
        self._parser = httptools.HttpResponseParser(self)
        self._active = self._loop.time()
        self._timer = self._loop.call_later(self._read_timeout, self._check_timeout)
        transport = self._transport
        assert transport is not None
        if body is None:
            transport.write(head)
        elif isinstance(body, bytes):
            transport.write(head + body)
        else:
            transport.write(head)
            await self._send_stream(transport, body, chunked)
        while not self.status:
            await self._wait()

    async def _send_stream(self, transport: asyncio.Transport, body: AsyncIterator[bytes], chunked: bool) -> None:
        async for chunk in body:
            if self._error is not None:
                raise self._error
            if self.status:  # answered before the body was all sent (a refusal): the rest is not needed
                self._unsent = True
                return
            transport.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            self._active = self._loop.time()
            while self._write_paused and self._error is None:
                await self._wait()
        if self._error is not None:
            raise self._error
        if chunked:
            transport.write(b"0\r\n\r\n")

    async def read_all(self) -> bytes:
        while not self._complete:
            await self._wait()
        body = b"".join(self._chunks)
        self._chunks.clear()
        return body

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            if self._chunks:
                chunk = self._chunks.popleft()
                self._buffered -= len(chunk)
                self._active = self._loop.time()
                if self._read_paused and self._buffered < _LOW_WATER and self._transport is not None:
                    self._read_paused = False
                    self._transport.resume_reading()
                yield chunk
            elif self._complete:
                return
            else:
                await self._wait()

    async def _wait(self) -> None:
        """Until the protocol has news (data, the end, an error, room to write); raises the connection's error."""
        if self._error is not None:
            raise self._error
        self._waiter = self._loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if self._error is not None:
                waiter.set_exception(self._error)
            else:
                waiter.set_result(None)

    def _fail(self, error: BaseException) -> None:
        if self._error is None and not self._complete:
            self._error = error
            self._wake()

    def _check_timeout(self) -> None:
        self._timer = None
        if self._complete or self._error is not None or self.closed:
            return
        quiet = self._loop.time() - self._active
        if quiet < self._read_timeout:
            self._timer = self._loop.call_later(self._read_timeout - quiet, self._check_timeout)
            return
        self._fail(TimeoutError(f"no answer from the service for {self._read_timeout:g} s"))
        self.abort()

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()
        self.closed = True

    # -- asyncio.Protocol --------------------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._parser is not None:
            if self.status and self.content_length is None and not self._chunked and not self._informational:
                self._done()  # an answer delimited by the connection's end (RFC 9112 §6.3, rule 8)
            else:
                reason = f": {exc}" if exc else ""
                self._fail(Disconnected(f"the service closed the connection{reason}", answered=self.answered))
        self._on_close(self)

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if parser is None:
            self.abort()  # bytes nobody asked for: the connection's framing can no longer be trusted
            return
        self.answered = True
        self._active = self._loop.time()
        try:
            parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(Disconnected(f"the service's answer is not valid HTTP/1.1: {exc}", answered=True))
            self.abort()

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake()

    # -- httptools' callbacks ----------------------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._complete:
            raise _UnaskedAnswer  # a second answer to one request: the parser stops, the connection is cut

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))
        if len(name) == 14 and name.lower() == _CONTENT_LENGTH:
            self.content_length = int(value)  # llhttp has checked it is a number
        elif len(name) == 17 and name.lower() == _TRANSFER_ENCODING:
            self._chunked = True

    def on_headers_complete(self) -> None:
        assert self._parser is not None
        status = self._parser.get_status_code()
        if status < 200:  # 1xx: an interim answer; the real one follows on the same connection
            self._informational = True
            self.headers, self.content_length, self._chunked = [], None, False
            return
        self.status = status
        self._keep_alive = self._parser.should_keep_alive()
        if self._head_only:
            self._done()  # a HEAD answer has no body, whatever its Content-Length says
        else:
            self._wake()

    def on_body(self, body: bytes) -> None:
        if self._complete:
            raise _UnaskedAnswer  # a body after a HEAD answer: not part of it
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > _HIGH_WATER and not self._read_paused and self._transport is not None:
            self._read_paused = True
            self._transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self._informational:
            self._informational = False
            return
        if self._parser is not None:  # not already done (HEAD)
            self._done()

    def _done(self) -> None:
        self._complete = True
        self._parser = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._wake()
