"""The gateway's HTTP/1.1 client for the services (issue 20), against raw socket servers that answer exactly what a
test needs: connection reuse and its limit, the answer's framings, interim and broken answers, early refusals,
timeouts, and abandoned answers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from abono.testing import wait_for
from gateway.proxy.h1 import Disconnected, Refused
from gateway.proxy.upstream import Origin, UpstreamClient


class Server:
    def __init__(self) -> None:
        self.connections = 0
        self.open = 0
        self.most_open = 0
        self.requests: list[bytes] = []


@contextlib.asynccontextmanager
async def serving(answer: Callable[[Server, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]):
    """A server whose `answer` handles one request on a connection and says whether to keep it for another."""
    server = Server()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.connections += 1
        server.open += 1
        server.most_open = max(server.most_open, server.open)
        try:
            while await answer(server, reader, writer):
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            server.open -= 1
            writer.close()

    listener = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with listener:
        yield Origin(f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}"), server


async def read_request(server: Server, reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    length = next((int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length:")), 0)
    if b"transfer-encoding: chunked" in lines:
        body = b""
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            body += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")
    else:
        body = await reader.readexactly(length)
    server.requests.append(head + body)
    return head, body


async def echo(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    _, body = await read_request(server, reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    return True


def ok_once(release: asyncio.Event) -> Callable[[Server, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]:
    """A handler that reads each request and answers "ok" only once `release` is set (connections held busy)."""

    async def answer(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await read_request(server, reader)
        await release.wait()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        return True

    return answer


def make_client(**overrides: float) -> UpstreamClient:
    settings = {"max_connections": 10, "keepalive_seconds": 4.0, "connect_timeout": 3.0, "read_timeout": 5.0}
    return UpstreamClient(**{**settings, **overrides})  # type: ignore[arg-type]


async def test_one_kept_alive_connection_carries_request_after_request():
    async with serving(echo) as (origin, server):
        client = make_client()
        for i in range(5):
            answer = await client.request(origin, "POST", b"/echo", [(b"X-N", b"%d" % i)], b"body %d" % i)
            assert (answer.status, await answer.read()) == (200, b"body %d" % i)
        client.close()
    assert server.connections == 1
    head = server.requests[0].split(b"\r\n")
    assert head[0] == b"POST /echo HTTP/1.1" and head[1] == f"Host: 127.0.0.1:{origin.port}".encode()
    assert b"X-N: 0" in head and b"Content-Length: 6" in head


async def test_never_more_connections_than_the_limit_and_every_request_answered():
    release = asyncio.Event()
    async with serving(ok_once(release)) as (origin, server):
        client = make_client(max_connections=2)

        async def one() -> bytes:
            answer = await client.request(origin, "GET", b"/", [])
            return await answer.read()

        tasks = [asyncio.create_task(one()) for _ in range(6)]
        await wait_for(lambda: len(server.requests) == 2)
        release.set()
        assert await asyncio.gather(*tasks) == [b"ok"] * 6
        client.close()
    assert server.most_open == 2 and server.connections == 2


async def test_a_request_that_finds_every_connection_busy_waits_at_most_the_connect_timeout():
    release = asyncio.Event()
    async with serving(ok_once(release)) as (origin, server):
        client = make_client(max_connections=1, connect_timeout=0.2)
        first = asyncio.create_task(client.request(origin, "GET", b"/", []))
        await wait_for(lambda: len(server.requests) == 1)
        with pytest.raises(TimeoutError, match="stayed busy"):
            await client.request(origin, "GET", b"/", [])
        release.set()
        assert await (await first).read() == b"ok"
        client.close()
    assert server.connections == 1


async def test_a_connection_idle_for_the_keepalive_time_is_not_reused():
    async with serving(echo) as (origin, server):
        client = make_client(keepalive_seconds=4.0)
        await (await client.request(origin, "GET", b"/", [])).read()
        for idle in client._idle[origin.key]:
            idle.idle_since -= 4.0  # as if it had waited 4 s: the service may be closing it right now
        await (await client.request(origin, "GET", b"/", [])).read()
        client.close()
    assert server.connections == 2


@pytest.mark.parametrize(
    ("answer", "body"),
    [
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
         b"hello world"),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal", b"final"),
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", b"until the end"),  # RFC 9112 §6.3 rule 8
    ],
    ids=["chunked", "interim-100", "until-close"],
)
async def test_the_answers_framings(answer: bytes, body: bytes):
    async def respond(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await read_request(server, reader)
        writer.write(answer)
        return b"Connection: close" not in answer

    async with serving(respond) as (origin, _):
        client = make_client()
        got = await client.request(origin, "GET", b"/", [])
        assert got.status == 200
        assert b"".join([chunk async for chunk in got.chunks()]) == body
        client.close()


async def test_a_head_answer_has_no_body_whatever_its_length_and_the_connection_carries_on():
    async def respond(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head, _ = await read_request(server, reader)
        if head.startswith(b"HEAD"):
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nget")
        return True

    async with serving(respond) as (origin, server):
        client = make_client()
        head = await client.request(origin, "HEAD", b"/", [])
        assert (head.status, head.content_length, await head.read()) == (200, 1000, b"")
        assert await (await client.request(origin, "GET", b"/", [])).read() == b"get"
        client.close()
    assert server.connections == 1


async def test_a_streamed_body_of_unknown_length_goes_chunked_and_of_known_length_as_is():
    async def body() -> AsyncIterator[bytes]:
        yield b"abc"
        yield b"defg"

    async with serving(echo) as (origin, server):
        client = make_client()
        assert await (await client.request(origin, "PUT", b"/", [], body())).read() == b"abcdefg"
        assert await (await client.request(origin, "PUT", b"/", [], body(), length=7)).read() == b"abcdefg"
        client.close()
    assert b"Transfer-Encoding: chunked" in server.requests[0]
    assert b"Content-Length: 7" in server.requests[1] and b"chunked" not in server.requests[1]


async def test_a_refusal_before_the_upload_ends_is_the_answer_and_its_connection_is_not_reused():
    async def refuse(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await reader.readuntil(b"\r\n\r\n")
        server.requests.append(b"refused")
        writer.write(b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n\r\nbig")
        await writer.drain()
        await reader.read()  # drain what still comes until the client goes
        return False

    async def upload() -> AsyncIterator[bytes]:
        yield b"x" * 1000
        await wait_for(lambda: any(connection.status for connection in client._open))  # the refusal has arrived
        yield b"y" * 1000

    async with serving(refuse) as (origin, _):
        client = make_client()
        answer = await client.request(origin, "POST", b"/upload", [], upload(), length=2000)
        assert (answer.status, await answer.read()) == (413, b"big")
        assert not client._idle.get(origin.key)  # half an upload on it: never reused
        client.close()


async def test_a_malformed_answer_and_a_dead_service_are_upstream_errors():
    async def garbage(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await read_request(server, reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        return True

    async with serving(garbage) as (origin, _):
        client = make_client()
        with pytest.raises(Disconnected):
            await client.request(origin, "GET", b"/", [])
        client.close()
    with pytest.raises(Refused):
        await make_client().request(origin, "GET", b"/", [])  # the server is gone: nothing listens there


async def test_silence_past_the_read_timeout_mid_answer_cuts_it():
    async def stalls(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await read_request(server, reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
        await writer.drain()
        await reader.read()
        return False

    async with serving(stalls) as (origin, _):
        client = make_client(read_timeout=0.2)
        answer = await client.request(origin, "GET", b"/", [])
        with pytest.raises(TimeoutError):
            await answer.read()
        assert not client._open  # the cut connection is gone from the pool
        client.close()


async def test_an_answer_abandoned_midway_closes_its_connection():
    async def big(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await read_request(server, reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (4 << 20))
        for _ in range(64):
            writer.write(b"z" * (64 << 10))
            await writer.drain()
        return True

    async with serving(big) as (origin, server):
        client = make_client()
        answer = await client.request(origin, "GET", b"/", [])
        chunks = answer.chunks()
        assert await anext(chunks)
        await chunks.aclose()  # the gateway's client went away: the rest of the answer is not wanted
        assert not client._open
        client.close()
    assert server.connections == 1


async def test_bytes_past_the_end_of_the_answer_leave_it_whole_and_the_connection_unused():
    async def twice(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await read_request(server, reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none" b"HTTP/1.1 200 OK\r\nX-Two: 2\r\n\r\n")
        return True

    async with serving(twice) as (origin, server):
        client = make_client()
        answer = await client.request(origin, "GET", b"/", [])
        assert (await answer.read(), answer.headers) == (b"one", [(b"Content-Length", b"3")])
        await (await client.request(origin, "GET", b"/", [])).read()
        client.close()
    assert server.connections == 2


def test_service_urls_are_plain_http(make_settings):
    assert make_settings(service_urls={"billing": "http://billing:8001/"}).service_urls == {
        "billing": "http://billing:8001"
    }
    for url in ("https://billing:8001", "billing:8001", "http://user:pw@billing:8001", "http://billing:8001/?a=1"):
        with pytest.raises(ValueError, match="must be http://host"):
            make_settings(service_urls={"billing": url})
