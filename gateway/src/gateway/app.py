"""The gateway's app factory: the common service app plus accounts, the proxy, the merged OpenAPI, the test clock."""

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

import gateway
import gateway.models  # every table on the metadata, as in every service
from abono.guards import SecurityHeaders
from abono.service import ServiceSpec, create_service_app
from gateway import bootstrap
from gateway.accounts.consumers import consumer as accounts_consumer
from gateway.accounts.endpoints import router as accounts_router
from gateway.accounts.schemas import accept_test_domains
from gateway.apidocs.endpoints import router as apidocs_router
from gateway.apidocs.service import SchemaCache
from gateway.config import GatewaySettings
from gateway.identity.config import IdentitySettings
from gateway.identity.endpoints import router as identity_router
from gateway.identity.service import Vault
from gateway.metricsguard import MetricsGuard
from gateway.panel.endpoints import install_panel
from gateway.proxy import fastpath
from gateway.proxy.endpoints import router as proxy_router
from gateway.proxy.metrics import ProxyMetrics
from gateway.proxy.upstream import close_upstream, open_upstream
from gateway.recovery.endpoints import router as recovery_router
from gateway.sessions.browser import router as browser_sessions_router
from gateway.sessions.endpoints import router as sessions_router
from gateway.staff.endpoints import router as staff_router
from gateway.stream.endpoints import router as stream_router
from gateway.testclock.endpoints import internal_router as internal_clock_router
from gateway.testclock.endpoints import router as test_clock_router
from gateway.totp.endpoints import router as totp_router

_FASTAPI_DOC_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    accept_test_domains(settings.platform.environment != "production")
    # Order matters: the gateway's own `/api/auth/*` and `/api/test/*` must match before the proxy's `/api/{service}`.
    routers: list[APIRouter] = [
        accounts_router,
        sessions_router,
        browser_sessions_router,
        recovery_router,
        stream_router,
        apidocs_router,
        identity_router,
        totp_router,
        staff_router,
    ]
    if settings.platform.test_mode:
        routers += [test_clock_router, internal_clock_router]
    routers.append(proxy_router)
    app = create_service_app(
        ServiceSpec(
            name="gateway",
            title="Abono",
            description=gateway.__doc__ or "",
            settings=settings,
            routers=routers,
            consumers=[accounts_consumer],
            on_startup=[open_upstream, bootstrap.on_startup],
            on_shutdown=[bootstrap.on_shutdown, close_upstream],
            follows_test_clock=False,
        )
    )
    # FastAPI's own /openapi.json and /docs (plain routes, matched first) describe the gateway alone; ours
    # (apidocs) describe the whole platform.
    app.router.routes[:] = [
        route
        for route in app.router.routes
        if isinstance(route, APIRoute) or getattr(route, "path", None) not in _FASTAPI_DOC_PATHS
    ]
    # Last: the panel's history fallback answers every GET no other route took.
    install_panel(app, settings.panel_dir)
    bootstrap.install_token_keys(app, settings)
    app.state.schema_cache = SchemaCache()
    identity = IdentitySettings()  # A-2 (GATEWAY_IDENTITY_*)
    if settings.platform.environment == "production":
        identity.check_production()
    app.state.identity_settings, app.state.identity_vault = identity, Vault(identity)
    app.state.proxy_metrics = ProxyMetrics(app)
    hsts = settings.platform.environment != "development"
    app.add_middleware(MetricsGuard, allowed=settings.metrics_allowed_networks)
    app.add_middleware(SecurityHeaders, hsts=hsts)  # the gateway's own routes (it only adds what is missing)
    # Around all of them: proxied requests skip the middlewares, routing and dependency solving, and stamp the
    # security headers themselves (proxy/fastpath.py).
    fastpath.install(app, hsts=hsts)
    return app
