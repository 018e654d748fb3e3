"""The sender's progress on `/metrics` (issue 20 item 3), beside `abono_notify_messages_total{channel,outcome}`
(sent, retry, failed: its rate is the sending rate):

- `abono_notify_sender_backlog{channel,lane}`: messages waiting for the sender or being sent, counted every few
  seconds (lane urgent, standard or bulk: a renewal run shows as a bulk backlog going down);
- `abono_notify_sender_in_flight{channel}`: sends past the rate limit and not settled yet;
- `abono_notify_sender_rate_limit_waiting{channel}`: sends waiting for a token of the channel's rate limit;
- `abono_notify_sender_rate_limit_per_second{channel}`: the configured limit;
- `abono_notify_smtp_connections_opened` / `abono_notify_smtp_connections_in_use`: the SMTP pool (opened stays low
  while thousands of mails go out: connections are reused).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from abono.events import Lane
from abono.metrics import ServiceMetrics
from notify.delivery.sender import Sender
from notify.delivery.smtp_pool import SmtpPool
from notify.messages.repository import SENT_CHANNELS


def sender_metrics(metrics: ServiceMetrics, sender: Sender, pool: SmtpPool) -> None:
    backlog = metrics.gauge("sender_backlog", "Messages waiting for the sender or being sent", ("channel", "lane"))
    in_flight = metrics.gauge("sender_in_flight", "Sends past the rate limit, not settled yet", ("channel",))
    waiting = metrics.gauge("sender_rate_limit_waiting", "Sends waiting for the rate limit", ("channel",))
    limit = metrics.gauge("sender_rate_limit_per_second", "Configured sends a second at most", ("channel",))
    for channel in sender.in_flight:
        in_flight.labels(channel.value).set_function(partial(sender.in_flight.__getitem__, channel))
    for channel, bucket in sender.buckets.items():
        waiting.labels(channel.value).set_function(partial(getattr, bucket, "waiting"))
        limit.labels(channel.value).set(bucket.rate)
    metrics.gauge("smtp_connections_opened", "SMTP connections opened since the start").set_function(
        lambda: pool.opened)
    metrics.gauge("smtp_connections_in_use", "SMTP connections sending now").set_function(lambda: pool.in_use)

    def report(counts: Mapping[tuple[str, int], int]) -> None:
        for channel in SENT_CHANNELS:
            for lane in Lane:
                backlog.labels(channel, lane.name.lower()).set(counts.get((channel, int(lane)), 0))

    sender.on_backlog = report
    report({})  # every (channel, lane) on /metrics from the start, counted at the sender's first pass
