"""The service app factory: every Abono service (and the gateway) is built by `create_service_app`.

It wires settings, logging, the database, metrics, JWT verification, the clock, the outbox relay and the
consumers, and mounts `/healthz`, `/readyz`, `/metrics`, `/whoami` and (test mode only) the test clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware import Middleware
from sqlalchemy import text

from abono.auth import CurrentPrincipal, TokenVerifier
from abono.clock import AdjustableClock, SystemClock
from abono.db import make_engine, make_read_engine, make_sessionmaker
from abono.edge import ServiceEdge
from abono.errors import install_problem_handlers, problem
from abono.events.base import Lane
from abono.hotroutes import HotEndpoint, HotRoutes
from abono.logging import configure_logging
from abono.messaging.broker import Broker
from abono.messaging.consumer import Consumer, ConsumerRunner
from abono.messaging.relay import OutboxRelay
from abono.metrics import ServiceMetrics, bind_sessions, metrics_endpoint
from abono.revocation import CHANNEL as REVOCATION_CHANNEL
from abono.revocation import RevocationList, revocation_consumer
from abono.settings import RELAY_POOL_SIZE, ServiceSettings
from abono.testclock import follow_gateway_clock, service_clock_router
from abono.workers import Worker, WorkerSpec

log = structlog.get_logger("abono.service")

Hook = Callable[[FastAPI], Awaitable[None]]


@dataclass
class ServiceSpec:
    name: str  # "billing", "gateway", ...: metric prefix, log field, queue prefix
    title: str
    settings: ServiceSettings
    routers: Sequence[APIRouter] = ()
    consumers: Sequence[Consumer] = ()
    description: str = ""
    on_startup: Sequence[Hook] = ()  # after the database, broker, relay and consumers are up
    # Once this process's consumer queues are declared and bound (in the background: the broker may be down at
    # start): the place to emit what another service answers, so the answer cannot be published before this
    # service's queue exists to receive it (`abono.events.drivers`). Retried until it succeeds.
    on_subscribed: Sequence[Hook] = ()
    on_shutdown: Sequence[Hook] = ()  # after the workers stopped
    # The service's background workers (abono.workers): built and started after the on_startup hooks.
    workers: Sequence[WorkerSpec] = ()
    # The gateway owns the test clock itself instead of following it.
    follows_test_clock: bool = True
    # Exact paths whose GET skips FastAPI's routing and dependencies (abono.hotroutes): the service's busiest reads.
    hot_routes: Mapping[str, HotEndpoint] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# Issue 20: the bulk worker's young collections. A bulk batch (up to 500 events) keeps its objects alive until its
# transaction ends; at Python's default (a young collection every 700 net new container objects) each was examined
# again and again on its way up to the full collections: ~3,000 young ones and ~1.4 s of billing's bulk worker's CPU
# in a 100k renewal drain, ~0.4 s at these thresholds (drain 4,549-4,581 -> 4,819-4,907 events/s, two pairs).
BULK_GC_THRESHOLDS = (50_000, 20, 20)


def freeze_startup_heap(*, bulk: bool) -> int:
    """Issue 20: what start-up made (modules, the app, its routes and models, the pools) lives as long as the process,
    yet every full collection of the garbage collector walked it again: ~250k objects, the event loop stopped for
    115-143 ms in billing's and provisioning's apps and 160-480 ms in their niced bulk workers, which ran ~20 of them
    during a 100k renewal run's drain (bench `renewal_day`). Collected once here, then moved to the permanent
    generation (`gc.freeze`): full collections see only what came after. A `bulk` worker's young collections then
    follow BULK_GC_THRESHOLDS. Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    if bulk:
        gc.set_threshold(*BULK_GC_THRESHOLDS)
    return gc.get_freeze_count()


async def run_when_subscribed(app: FastAPI, subscribed: Callable[[], Awaitable[object]] | None,
                           hooks: Sequence[Hook]) -> None:
    """`ServiceSpec.on_subscribed`: once `subscribed` (the consumers' queues bound; None: this process runs no
    consumers, so nothing to wait for), each hook in turn, each retried with a growing pause until it succeeds."""
    if subscribed is not None:
        await subscribed()
    for hook in hooks:
        pause = 0.5
        while True:
            try:
                await hook(app)
                break
            except Exception as exc:  # noqa: BLE001 - e.g. the database is down for a moment: try again
                log.warning("on_subscribed_failed", hook=getattr(hook, "__name__", repr(hook)), error=repr(exc),
                            retry_in=pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)


def create_service_app(spec: ServiceSpec) -> FastAPI:
    settings = spec.settings
    platform = settings.platform
    configure_logging(spec.name, level=platform.log_level, json=platform.log_json)
    metrics = ServiceMetrics(spec.name)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pooled = settings.db_transaction_pooling  # behind PgBouncer in transaction mode (#12 item 9)
        engine = make_engine(settings.database_url, pool_size=settings.db_pool_size,
                             max_overflow=settings.db_max_overflow, transaction_pooling=pooled)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        bind_sessions(app.state.sessionmaker, metrics)  # count_after_commit counts on this app's metrics
        read_engine = make_read_engine(settings.database_url, pool_size=settings.db_read_pool_size,
                                       transaction_pooling=pooled)
        app.state.read_engine = read_engine
        app.state.read_sessionmaker = make_sessionmaker(read_engine)
        broker = Broker(platform.amqp_url, name=spec.name)
        app.state.broker = broker
        tasks: list[asyncio.Task[None]] = []
        if platform.test_mode and spec.follows_test_clock:
            tasks.append(asyncio.create_task(follow_gateway_clock(app.state.clock, platform.gateway_url)))
        await broker.start()
        # The relay's own small pool: sharing the requests' pool, it queued behind them for a connection when the
        # service was busy, and events waited seconds after their commit (bench reactivation, 50 webhooks/s).
        # Up to two connections per lane's loop (two batches in flight) for three lanes: an urgent claim never waits
        # for a bulk one.
        relay_engine = make_engine(settings.database_url, pool_size=RELAY_POOL_SIZE, transaction_pooling=pooled)
        # Issue 20: the bulk lane in this process, in the bulk worker process (`abono.bulk_worker`), or only that.
        bulk_only = platform.process == "bulk"
        bulk_lane = "only" if bulk_only else settings.bulk_lane
        lanes = {"in_process": tuple(Lane), "separate": (Lane.URGENT, Lane.STANDARD), "only": (Lane.BULK,)}[bulk_lane]
        relay = OutboxRelay(
            service=spec.name,
            engine=relay_engine,
            broker=broker,
            metrics=metrics,
            listen_url=settings.listen_url(),
            sweep_seconds=settings.outbox_sweep_seconds,
            batch_size=settings.outbox_batch_size,
            bulk_batch_size=settings.outbox_bulk_batch_size,
            bulk_paced_batch_size=settings.outbox_bulk_paced_batch_size,
            lanes=lanes,
            also_listen={REVOCATION_CHANNEL: app.state.revocations.wake},
        )
        revocations: RevocationList = app.state.revocations
        await revocations.reload(engine)
        tasks.append(asyncio.create_task(revocations.follow(read_engine, settings.revocation_poll_seconds)))
        consumers = [*spec.consumers, revocation_consumer(revocations)]
        runner = ConsumerRunner(
            service=spec.name,
            consumers=consumers,
            sessionmaker=app.state.sessionmaker,
            broker=broker,
            metrics=metrics,
            delivery_limit=settings.consumer_delivery_limit,
            prefetch=settings.consumer_prefetch,
            bulk_prefetch=settings.consumer_bulk_prefetch,
            max_transactions=settings.consumer_max_transactions,
            bulk_transactions=settings.consumer_bulk_max_transactions,
            spread=settings.consumer_spread,
            bulk_lane=bulk_lane,
        )
        app.state.relay, app.state.consumer_runner = relay, runner
        if settings.run_workers:
            await relay.start()
            await runner.start()
        # The bulk worker process runs its lane's relay loop and consumers and the service's bulk workers (a renewal
        # run), none of the app's startup hooks; with the bulk lane separate, the app leaves those workers to it.
        for hook in () if bulk_only else spec.on_startup:
            await hook(app)
        if spec.on_subscribed and not bulk_only:
            subscribed = runner.wait_consuming if settings.run_workers else None
            tasks.append(asyncio.create_task(run_when_subscribed(app, subscribed, spec.on_subscribed),
                                             name=f"on-subscribed-{spec.name}"))
        here = "bulk" if bulk_only else "app"
        started: list[Worker] = []
        for worker_spec in spec.workers:
            runs_here = worker_spec.process == here or (worker_spec.process == "bulk" and bulk_lane == "in_process")
            if bulk_only and not runs_here:
                continue
            if worker_spec.prepare is not None:
                await worker_spec.prepare(app)
            worker = worker_spec.build(app)
            setattr(app.state, worker_spec.name, worker)  # built in the app either way: tests run passes by hand
            if runs_here and worker_spec.enabled(app):
                worker.start()
                started.append(worker)
        # Built now and cached: building it at the gateway's first fetch took longer than the gateway waits
        # (`GATEWAY_OPENAPI_FETCH_TIMEOUT_SECONDS`), and the merged document then left this service out (issue 11).
        app.openapi()
        frozen = freeze_startup_heap(bulk=bulk_only) if platform.gc_freeze else 0
        log.info("service_started", port=settings.port, test_mode=platform.test_mode, gc_frozen=frozen,
                 gc_thresholds=gc.get_threshold())
        try:
            yield
        finally:
            for worker in reversed(started):
                await worker.stop()
            for hook in () if bulk_only else spec.on_shutdown:
                await hook(app)
            for task in tasks:
                task.cancel()
            await runner.stop()
            await relay.stop()
            await broker.stop()
            await read_engine.dispose()
            await relay_engine.dispose()
            await engine.dispose()

    # Metrics are Prometheus (/metrics). FastAPI's native OpenTelemetry check, on by default, looks the OTel
    # providers up in os.environ on every request: ~5 % of a proxied request's CPU in the gateway (py-spy).
    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="0.1.0",
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.service_name = spec.name
    app.state.consumers = list(spec.consumers)  # what this service listens to (the AsyncAPI document reads it)
    app.state.clock = AdjustableClock() if platform.test_mode else SystemClock()
    pem = platform.jwt_public_key_pem()
    app.state.token_verifier = (
        TokenVerifier(pem, issuer=platform.jwt_issuer, audience=platform.jwt_audience) if pem else None
    )
    app.state.revocations = RevocationList()
    install_problem_handlers(app)
    # The request id, security headers, the 500 guard, the latency metric and the body limit, in one middleware.
    app.add_middleware(
        ServiceEdge, metrics=metrics, max_body_bytes=settings.max_body_bytes, hsts=platform.environment != "development"
    )
    if spec.hot_routes:  # inside ServiceEdge (the last of the user middlewares), before FastAPI's own
        app.user_middleware.append(Middleware(HotRoutes, routes=spec.hot_routes, service=app))
    app.include_router(_ops_router())
    if platform.test_mode and spec.follows_test_clock:
        app.include_router(service_clock_router())
    for router in spec.routers:
        app.include_router(router)
    return app


def _ops_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz(request: Request) -> dict[str, str]:
        """Public, no token. Answers 200 with `status: ok` and the service's name while the process runs; it checks no
        dependency, so use it for liveness probes only.
        """
        return {"status": "ok", "service": request.app.state.service_name}

    @router.get(
        "/readyz",
        summary="Readiness: the database and the broker are reachable",
        responses={503: {"description": "A dependency is unreachable (problem+json)"}},
    )
    async def readyz(request: Request) -> Any:
        """Answers 200 with `status: ready` when the service's database and message broker are both reachable, or 503
        `not-ready` naming the unreachable one in `checks`. For load balancers and readiness probes.
        """
        checks = {"database": await _database_ok(request.app), "broker": request.app.state.broker.is_connected}
        if all(checks.values()):
            return {"status": "ready", "checks": checks}
        failing = ", ".join(name for name, ok in checks.items() if not ok)
        return problem(
            503, "Service Unavailable", f"Not ready: {failing} unreachable.", code="not-ready", checks=checks
        )

    router.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)

    @router.get("/whoami", summary="The verified caller of this service (checks the access JWT)")
    async def whoami(principal: CurrentPrincipal, request: Request) -> dict[str, str]:
        """Any signed-in caller. Returns who the access token says you are (user id, role, e-mail) as this service sees
        it: a quick way to check a token. 401 without a valid token.
        """
        return {
            "service": request.app.state.service_name,
            "user_id": str(principal.user_id),
            "role": principal.role.value,
            "email": principal.email,
        }

    return router


async def _database_ok(app: FastAPI) -> bool:
    try:
        async with asyncio.timeout(2):
            async with app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
