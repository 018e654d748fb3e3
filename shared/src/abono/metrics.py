"""Prometheus metrics, one registry per app (several apps share a process in tests), named
`abono_<service>_<what>_<unit>`.

Business counters ("facts": invoices issued, payments, suspensions...) count committed facts only, two ways:
- `count_after_commit(session, FACT, **labels)`: counted when the session's root transaction commits; dropped if
  it (or the savepoint it was counted in) rolls back;
- `count_published(routing_key, FACT, labels_of)`: counted from an event the outbox relay published (so its
  transaction committed), for facts written by code that does not count them itself (e.g. bulk SQL).
A `FactCounter` declared at import is on its service's `/metrics` from the start (zero until counted).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SESSION_METRICS = "abono.metrics"  # session.info key: the app's ServiceMetrics (set by `bind_sessions`)
_PENDING = "abono.metrics.pending"  # session.info key: facts counted at the next root commit


@dataclass(frozen=True)
class FactCounter:
    """A business counter of one service: `abono_<service>_<name>`, created on each app of that service."""

    service: str
    name: str  # without the prefix, ends in `_total`
    doc: str
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _DECLARED.setdefault(self.service, []).append(self)


LabelsOf = Callable[[Mapping[str, Any]], Mapping[str, str]]
_DECLARED: dict[str, list[FactCounter]] = {}
_PUBLISHED_FACTS: dict[str, list[tuple[FactCounter, LabelsOf, Callable[[Mapping[str, Any]], float]]]] = {}


def count_published(
    routing_key: str,
    fact: FactCounter,
    labels_of: LabelsOf,
    amount_of: Callable[[Mapping[str, Any]], float] = lambda _payload: 1.0,
) -> None:
    """Count `fact` each time the relay of `fact.service` has published an event `routing_key` (its payload gives
    the labels and the amount)."""
    _PUBLISHED_FACTS.setdefault(routing_key, []).append((fact, labels_of, amount_of))


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        prefix = f"abono_{service.replace('-', '_')}"
        self.prefix = prefix
        self.http_request_duration = Histogram(
            f"{prefix}_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.events_published = Counter(
            f"{prefix}_events_published_total",
            "Events published from the outbox",
            ["routing_key"],
            registry=self.registry,
        )
        self.events_consumed = Counter(
            f"{prefix}_events_consumed_total",
            "Events consumed, by outcome",
            ["consumer", "routing_key", "outcome"],
            registry=self.registry,
        )
        self.events_dead_lettered = Counter(
            f"{prefix}_events_dead_lettered_total",
            "Events sent to a dead-letter queue",
            ["consumer", "routing_key"],
            registry=self.registry,
        )
        self.outbox_lag = Gauge(
            f"{prefix}_outbox_lag_seconds",
            "Age of the oldest unpublished outbox row at the last relay pass, by lane",
            ["lane"],
            registry=self.registry,
        )
        self.outbox_publish_latency = Histogram(
            f"{prefix}_outbox_publish_delay_seconds",
            "From emit to broker confirm, by lane",
            ["lane"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.outbox_bulk_paced = Counter(
            f"{prefix}_outbox_bulk_paced_batches_total",
            "Bulk relay batches claimed small, one in flight, because an urgent outbox row was unpublished",
            registry=self.registry,
        )

        self._facts: dict[str, Counter] = {}
        for fact in _DECLARED.get(service, ()):
            self.fact(fact)

    def fact(self, fact: FactCounter) -> Counter:
        """This app's counter for `fact` (made on first use if it was declared after the app)."""
        counter = self._facts.get(fact.name)
        if counter is None:
            counter = self._facts[fact.name] = self.counter(fact.name, fact.doc, fact.labels)
        return counter

    def published(self, routing_key: str, payload: Mapping[str, Any] | str) -> None:
        """The relay published (broker confirmed, row marked in a committed transaction) one event; `payload` is its
        envelope, or its JSON text (decoded only if the event carries business facts of this service)."""
        self.events_published.labels(routing_key).inc()
        facts = [each for each in _PUBLISHED_FACTS.get(routing_key, ()) if each[0].service == self.service]
        if not facts:
            return
        envelope: Mapping[str, Any] = json.loads(payload) if isinstance(payload, str) else payload
        for fact, labels_of, amount_of in facts:
            self.fact(fact).labels(**labels_of(envelope)).inc(amount_of(envelope))

    def counter(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
        """A service-specific counter registered on this app's registry."""
        return Counter(f"{self.prefix}_{name}", doc, list(labels), registry=self.registry)

    def gauge(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(f"{self.prefix}_{name}", doc, list(labels), registry=self.registry)

    def histogram(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Histogram:
        return Histogram(f"{self.prefix}_{name}", doc, list(labels), buckets=LATENCY_BUCKETS, registry=self.registry)

    def render(self) -> Response:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # several web workers (abono.serve): all of them summed
            merged = CollectorRegistry()
            MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return Response(generate_latest(merged), media_type=CONTENT_TYPE_LATEST)
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def bind_sessions(sessionmaker: async_sessionmaker[AsyncSession], metrics: ServiceMetrics) -> None:
    """Sessions made by `sessionmaker` count their facts (`count_after_commit`) on `metrics`."""
    sessionmaker.configure(info={_SESSION_METRICS: metrics})


def count_after_commit(session: AsyncSession | Session, fact: FactCounter, amount: float = 1.0, **labels: str) -> None:
    """Count `fact` once the session's transaction commits; never if it, or the savepoint this runs in, rolls back.

    A no-op for a session not made by a service app's sessionmaker (a script's, a test's own): nothing watches it.
    """
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    metrics: ServiceMetrics | None = sync.info.get(_SESSION_METRICS)
    if metrics is None:
        return
    counter = metrics.fact(fact)
    child = counter.labels(**labels) if labels else counter
    where = sync.get_nested_transaction() or sync.get_transaction()
    sync.info.setdefault(_PENDING, []).append((where, child, amount))


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    # Also dispatched when a savepoint is released: the facts wait for the root transaction.
    if session.get_nested_transaction() is not None:
        return
    for _, child, amount in session.info.pop(_PENDING, ()):
        child.inc(amount)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [p for p in pending if not _inside(p[0], previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    # The root ended without a commit (closed, or rolled back): what it counted never happened.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _inside(where: SessionTransaction | None, ended: SessionTransaction) -> bool:
    if ended.parent is None:
        return True
    while where is not None:
        if where is ended:
            return True
        where = where.parent
    return False


def route_of(scope: Scope) -> str:
    """The template of the route that took the request (bounded labels, not the raw path), or `unmatched`."""
    # The router records the matched route in the scope (Starlette >= 0.47); no second matching pass.
    route = scope.get("route")
    path: str = getattr(route, "path", "unmatched")
    return path


async def metrics_endpoint(request: Request) -> Response:
    metrics: ServiceMetrics = request.app.state.metrics
    return metrics.render()
