"""Prometheus metrics, one registry per app (several apps share a process in tests), named
`abono_<service>_<what>_<unit>`."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        prefix = f"abono_{service.replace('-', '_')}"
        self.prefix = prefix
        self.http_request_duration = Histogram(
            f"{prefix}_http_request_duration_seconds", "HTTP request latency",
            ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.events_published = Counter(
            f"{prefix}_events_published_total", "Events published from the outbox", ["routing_key"],
            registry=self.registry,
        )
        self.events_consumed = Counter(
            f"{prefix}_events_consumed_total", "Events consumed, by outcome",
            ["consumer", "routing_key", "outcome"], registry=self.registry,
        )
        self.events_dead_lettered = Counter(
            f"{prefix}_events_dead_lettered_total", "Events sent to a dead-letter queue",
            ["consumer", "routing_key"], registry=self.registry,
        )
        self.outbox_lag = Gauge(
            f"{prefix}_outbox_lag_seconds", "Age of the oldest unpublished outbox row at the last relay pass",
            registry=self.registry,
        )
        self.outbox_publish_latency = Histogram(
            f"{prefix}_outbox_publish_delay_seconds", "From emit to broker confirm",
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )

    def counter(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
        """A service-specific counter registered on this app's registry."""
        return Counter(f"{self.prefix}_{name}", doc, list(labels), registry=self.registry)

    def histogram(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Histogram:
        return Histogram(f"{self.prefix}_{name}", doc, list(labels), buckets=LATENCY_BUCKETS,
                         registry=self.registry)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Records each request's latency under its route template (not the raw path: bounded labels)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.http_request_duration.labels(
                scope["method"], _route(scope), str(status)
            ).observe(time.perf_counter() - start)


def _route(scope: Scope) -> str:
    # The router records the matched route in the scope (Starlette >= 0.47); no second matching pass.
    route = scope.get("route")
    path: str = getattr(route, "path", "unmatched")
    return path


async def metrics_endpoint(request: Request) -> Response:
    metrics: ServiceMetrics = request.app.state.metrics
    return metrics.render()
