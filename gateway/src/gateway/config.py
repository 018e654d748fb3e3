"""The gateway's settings (`GATEWAY_*`), on top of the platform's `ABONO_*`.

Complex values are JSON in the environment, e.g.
`GATEWAY_SERVICE_URLS='{"billing": "http://billing:8001"}'`,
`GATEWAY_LOGIN_RATE_LIMIT='{"limit": 10, "window_seconds": 60}'`,
`GATEWAY_TRUSTED_PROXIES='["10.0.0.0/8"]'`.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from pydantic import BaseModel, Field, PositiveInt, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from abono.settings import ServiceSettings

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_gateway"
# The repository's `panel/dist` (this file is gateway/src/gateway/config.py): where `make panel` builds the app.
DEFAULT_PANEL_DIR = Path(__file__).resolve().parents[3] / "panel" / "dist"
DEFAULT_SERVICE_URLS = {
    "billing": "http://127.0.0.1:8001",
    "provisioning": "http://127.0.0.1:8002",
    "notify": "http://127.0.0.1:8003",
    "support": "http://127.0.0.1:8004",
    "affiliate": "http://127.0.0.1:8005",
}
# `/api/auth/*`, `/api/test/*` and `/api/stream` are the gateway's own routes; a service with these names could never
# be reached.
RESERVED_SERVICE_NAMES = frozenset({"auth", "test", "stream"})


class RateLimit(BaseModel):
    """At most `limit` attempts per key in each fixed window of `window_seconds`."""

    limit: PositiveInt
    window_seconds: PositiveInt


def service_url_parts(url: str) -> SplitResult:
    """`url` split, if it is `http://host[:port][/path]`: the services listen inside the deployment on plain HTTP,
    the only scheme `gateway.proxy.upstream` speaks. Otherwise ValueError, saying so."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or parts.username or parts.query or parts.fragment:
        raise ValueError(f"must be http://host[:port][/path], not {url!r}")
    return parts


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    # The gateway's own database (accounts, sessions, rate-limit counters, the test clock).
    database_url: str = DEFAULT_DATABASE_URL
    # Port `make run` serves the gateway on.
    port: int = 8000

    # Ed25519 private key (PEM) that signs access JWTs, inline or as a file; one of them is required.
    # Services verify with the matching public key (`ABONO_JWT_PUBLIC_KEY[_FILE]`); if that is unset, the gateway
    # derives it from this key for its own use.
    jwt_private_key: str | None = None
    jwt_private_key_file: Path | None = None
    # Lifetime of an access JWT (wall time): short, since a JWT cannot be revoked.
    access_token_ttl_seconds: PositiveInt = 900
    # Lifetime of a refresh token (platform time); every refresh rotates it.
    refresh_token_ttl_days: PositiveInt = 30
    # Browser sessions: a refresh cookie rotated less than this long ago, presented again (two tabs refreshing at
    # the same moment), gets a sibling token instead of revoking the session; 0 turns the grace off.
    refresh_reuse_grace_seconds: float = Field(default=10.0, ge=0, le=60)
    # Lifetime of an e-mail verification link (platform time).
    verification_token_ttl_hours: PositiveInt = 48
    # Lifetime of a password-reset link (platform time).
    password_reset_token_ttl_minutes: PositiveInt = 60

    # Where each service listens: `/api/<name>/<path>` is proxied to `<url>/<path>`.
    service_urls: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SERVICE_URLS))
    # Proxy: the longest wait to connect to a service, and the longest pause while reading its answer; either
    # one passed before the answer starts is a 504 (a refused connection is a 502).
    proxy_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    proxy_read_timeout_seconds: float = Field(default=60.0, gt=0)
    # Proxy: open connections kept to all services together; a request that finds them all busy waits for one at most
    # `proxy_connect_timeout_seconds` (then 504).
    proxy_max_connections: PositiveInt = 200
    # Proxy: how long an idle connection to a service is kept for reuse. Keep it below the services' own
    # keep-alive timeout (uvicorn's `--timeout-keep-alive`, 5 s by default), or the service closes it first.
    proxy_keepalive_seconds: float = Field(default=4.0, gt=0)
    # Request bodies: the general limit is GATEWAY_MAX_BODY_BYTES (1 MiB); paths under these prefixes (upload
    # routes, e.g. "/api/support/attachments") may carry up to `upload_max_body_bytes`. Larger: 413.
    upload_path_prefixes: list[str] = Field(default_factory=lambda: ["/api/support/tickets"])  # S-1 attachments
    upload_max_body_bytes: PositiveInt = 20 * 1024 * 1024
    # Aggregated OpenAPI: how long to wait for a service's schema, and how long to keep it.
    openapi_fetch_timeout_seconds: float = Field(default=2.0, gt=0)
    openapi_cache_seconds: float = Field(default=30.0, ge=0)
    # Test mode: how long to wait for each service to acknowledge a clock move.
    clock_push_timeout_seconds: float = Field(default=5.0, gt=0)

    # Login attempts per client IP and e-mail (guessing one account's password).
    login_rate_limit: RateLimit = RateLimit(limit=10, window_seconds=60)
    # Login attempts per client IP, whatever the e-mail (spraying many accounts).
    login_ip_rate_limit: RateLimit = RateLimit(limit=60, window_seconds=60)
    # Sign-ups (and verification e-mails resent) per client IP.
    signup_rate_limit: RateLimit = RateLimit(limit=5, window_seconds=3600)
    # Password-reset e-mails asked for one address from one client IP (they also count on `signup_rate_limit`).
    password_reset_rate_limit: RateLimit = RateLimit(limit=5, window_seconds=3600)
    # Requests that name another client by e-mail or id (issue 11: offering a service transfer), per client IP,
    # so nobody pages through e-mails with them: `lookup_routes` are "METHOD regex" matched on the whole path.
    lookup_rate_limit: RateLimit = RateLimit(limit=20, window_seconds=3600)
    lookup_routes: list[str] = Field(default_factory=lambda: ["POST /api/provisioning/services/[^/]+/transfers"])
    # Networks of the reverse proxies in front of the gateway. Only a request whose socket peer is in one of
    # them has its `X-Forwarded-For` / `X-Forwarded-Proto` believed; by default the peer is the client.
    trusted_proxies: list[IPv4Network | IPv6Network] = Field(default_factory=list)
    # Who may read the gateway's own /metrics (the Prometheus scraper): peers in these networks that connect
    # directly (no X-Forwarded-For). Loopback and the private ranges by default; anyone else gets 404.
    metrics_allowed_networks: list[IPv4Network | IPv6Network] = Field(
        default_factory=lambda: [
            ip_network(net) for net in ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
        ]
    )

    # Live stream (`/api/stream`): a `: ping` comment this often, and at most this many open streams per account
    # on one replica.
    stream_ping_seconds: float = Field(default=15.0, gt=0)
    stream_max_per_client: PositiveInt = 10

    # The built client panel (index.html, assets/), served at `/`; without an index.html `/` says how to build it.
    panel_dir: Path = DEFAULT_PANEL_DIR

    # Optional bootstrap: at start-up, create this admin if no account has the e-mail (never changes one).
    admin_email: str | None = None
    admin_password: str | None = None

    @field_validator("service_urls")
    @classmethod
    def _service_names(cls, urls: dict[str, str]) -> dict[str, str]:
        reserved = RESERVED_SERVICE_NAMES & urls.keys()
        if reserved:
            raise ValueError(f"service names {sorted(reserved)} are reserved for the gateway's own routes")
        for name, url in urls.items():
            try:
                service_url_parts(url)
            except ValueError as exc:
                raise ValueError(f"the URL of service {name!r} {exc}") from None
        return {name: url.rstrip("/") for name, url in urls.items()}

    @model_validator(mode="after")
    def _admin_pair(self) -> GatewaySettings:
        if bool(self.admin_email) != bool(self.admin_password):
            raise ValueError("set both GATEWAY_ADMIN_EMAIL and GATEWAY_ADMIN_PASSWORD, or neither")
        if self.admin_password is not None and len(self.admin_password) < 10:
            raise ValueError("GATEWAY_ADMIN_PASSWORD needs at least 10 characters, like any password")
        return self

    def jwt_private_key_pem(self) -> str:
        """The signing key, or a clear error saying how to provide one."""
        if self.jwt_private_key:
            return self.jwt_private_key
        if self.jwt_private_key_file:
            return self.jwt_private_key_file.read_text()
        raise RuntimeError(
            "The gateway needs its Ed25519 private key to sign access tokens: set GATEWAY_JWT_PRIVATE_KEY (PEM) or "
            "GATEWAY_JWT_PRIVATE_KEY_FILE, with the matching public key in ABONO_JWT_PUBLIC_KEY_FILE for the "
            "services (`make run` generates both into .run/keys/)."
        )


def default_database_url() -> str:
    return GatewaySettings().database_url
