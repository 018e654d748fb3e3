"""`abono.testing.serve`, which serves the fakes of the outside world (Stripe, the WHM panel, registrars) to tests
and benchmarks: they must answer as fast as the code under test lets them, never slower."""

import asyncio
import socket

from abono.testing import listening_socket


async def test_connections_accepted_by_served_fakes_send_without_nagle_delay() -> None:
    """A connection the listening socket accepts has TCP_NODELAY: uvicorn writes a response's headers and body
    apart, and with Nagle's algorithm the body waited for the client's delayed ACK (40 ms on Linux) on every call
    (the `reactivation` bench's Stripe read and panel calls)."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    sock = listening_socket()
    server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
    try:
        _, writer = await asyncio.open_connection(*sock.getsockname())
        assert await asyncio.wait_for(accepted, timeout=30) == 1
        writer.close()
    finally:
        server.close()
        await server.wait_closed()

