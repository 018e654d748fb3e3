"""The event bus: `emit` into the outbox, `OutboxRelay` publishes it, `Consumer`s apply events once via the inbox."""

from abono.messaging.broker import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, Broker, BrokerUnavailable
from abono.messaging.consumer import Consumer, ConsumerRunner
from abono.messaging.outbox import emit
from abono.messaging.relay import OutboxRelay, PublishFailed

__all__ = [
    "DEAD_LETTER_EXCHANGE",
    "EVENTS_EXCHANGE",
    "Broker",
    "BrokerUnavailable",
    "Consumer",
    "ConsumerRunner",
    "OutboxRelay",
    "PublishFailed",
    "emit",
]
