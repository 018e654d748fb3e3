"""The broker connection: a service starts while RabbitMQ is down and connects once it is reachable."""

from urllib.parse import urlsplit

from abono.testing import AMQP_URL, wait_for

from .support import Bus, TcpProxy, holds, logged, times_logged

AMQP_PORT = urlsplit(AMQP_URL).port or 5672


async def test_broker_starts_while_rabbitmq_is_unreachable_and_connects_when_it_appears(bus: Bus) -> None:
    proxy = TcpProxy(AMQP_PORT)  # not listening yet: connection refused
    with logged() as entries:
        broker = await bus.broker(bus.amqp_url.replace(f":{AMQP_PORT}/", f":{proxy.port}/"))
        await wait_for(holds(lambda: times_logged(entries, "broker_connect_failed") >= 3),
                       what="several refused attempts")
    assert not broker.is_connected

    await proxy.start()
    await wait_for(holds(lambda: broker.is_connected), what="the broker to connect")
    await proxy.cut()
    await wait_for(holds(lambda: not broker.is_connected), what="the broker to notice the cut")
