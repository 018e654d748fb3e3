"""Settings: one pydantic-settings class per service, env-prefixed (`BILLING_DATABASE_URL`), plus the
platform-wide `ABONO_*` settings every service shares (broker, JWT key, test mode)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The image's HEALTHCHECK finds the bulk worker's port the way `bulk_listener_port` does (one offset for both).
from abono.healthcheck import BULK_METRICS_PORT_OFFSET

# The outbox relay's own pool (3, and 3 in overflow: two batches in flight for each of its three lanes' loops, the
# purge between them) and its LISTEN connection.
RELAY_POOL_SIZE = 3
RELAY_CONNECTIONS = 2 * RELAY_POOL_SIZE + 1


# What `abono.serve` and `abono.bulk_worker` set (unless already set) for the processes they start:
# `PlatformSettings.gc_freeze`.
GC_FREEZE_VARIABLE = "ABONO_GC_FREEZE"


class PlatformSettings(BaseSettings):
    """`ABONO_*`: what every service of one installation shares."""

    model_config = SettingsConfigDict(env_prefix="ABONO_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    # The gateway's Ed25519 public key (PEM), inline or as a file; every service verifies access JWTs with it.
    jwt_public_key: str | None = None
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "abono-gateway"
    jwt_audience: str = "abono"
    # Test mode exposes the movable platform clock. Never on by default, refused in production.
    test_mode: bool = False
    gateway_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_json: bool = True
    # Set by `python -m abono.bulk_worker` for the process it runs: "bulk" runs only the bulk lane of the app.
    process: Literal["app", "bulk"] = "app"
    # Set by `python -m abono.serve` and `python -m abono.bulk_worker` for the processes they run (issue 20): once
    # started, the service freezes its heap (`abono.service.freeze_startup_heap`). Off where apps start and stop
    # inside one process (the tests): what a stopped app left frozen would never be collected.
    gc_freeze: bool = False

    @model_validator(mode="after")
    def _safe(self) -> PlatformSettings:
        if self.test_mode and self.environment == "production":
            raise ValueError("ABONO_TEST_MODE cannot be on when ABONO_ENVIRONMENT=production")
        if self.environment == "production" and not (self.jwt_public_key or self.jwt_public_key_file):
            raise ValueError("production needs ABONO_JWT_PUBLIC_KEY or ABONO_JWT_PUBLIC_KEY_FILE")
        return self

    def jwt_public_key_pem(self) -> str | None:
        if self.jwt_public_key:
            return self.jwt_public_key
        if self.jwt_public_key_file:
            return self.jwt_public_key_file.read_text()
        return None


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set `env_prefix` (e.g. `BILLING_`)."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str
    # PostgreSQL itself, bypassing a transaction-pooling PgBouncer: the outbox relay's LISTEN, migrations (a session
    # advisory lock) and backups use it. Unset: `database_url` (no pooler, or one in session mode).
    direct_database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # The connection budget of one replica (#12 item 9; deploy/README.md "Connection budget"): at most
    # db_pool_size + db_max_overflow (writes) + db_read_pool_size (reads) + RELAY_CONNECTIONS (the outbox relay's
    # pool and its LISTEN connection). `connections_per_replica()` is that sum.
    db_pool_size: int = Field(default=10, gt=0)
    db_max_overflow: int = Field(default=10, ge=0)
    db_read_pool_size: int = Field(default=20, gt=0)
    # True behind PgBouncer in transaction pooling mode: asyncpg's prepared-statement caches are off and statements
    # get unique names (a server connection serves many clients), and no session setting is sent at connect.
    db_transaction_pooling: bool = False
    # Outbox relay: periodic sweep behind LISTEN/NOTIFY, and the batch it claims.
    outbox_sweep_seconds: float = 2.0
    outbox_batch_size: int = 500
    # Issue 20: the bulk lane's batch (unset: `outbox_batch_size`), and its batch while an urgent outbox row is
    # unpublished (one batch in flight then, so the broker confirms the urgent publishes without a thousand bulk ones
    # ahead of them; 0: the bulk lane never gives way).
    outbox_bulk_batch_size: int | None = Field(default=None, gt=0)
    outbox_bulk_paced_batch_size: int = Field(default=50, ge=0)
    # Consumers: a message is delivered at most this many times before it goes to the dead-letter queue.
    consumer_delivery_limit: int = 5
    # Unacknowledged deliveries per (main) queue, and the most one transaction applies: a consumer holds its
    # deliveries for a transaction, so 50 (shared by 4 transactions) left the broker waiting for acks (#20 item 2).
    consumer_prefetch: int = 200
    # The `.bulk` queues' prefetch, and so the most bulk events one transaction applies (issue 20: a renewal run's
    # backlog through a batch handler, fewer and larger transactions).
    consumer_bulk_prefetch: int = Field(default=500, gt=0)
    # Transactions a consumer runs at once; deliveries arriving meanwhile share the next one (at most `prefetch`).
    consumer_max_transactions: int = 4
    # The same for a consumer's `.bulk` queue (unset: `consumer_max_transactions`). 1 suits set-based batch handlers
    # (issue 20, provisioning's `InvoiceIssued`): one transaction at a time takes every delivery waiting (up to
    # `consumer_bulk_prefetch`) while the broker sends the next batch, so a backlog drains in few full transactions;
    # several at once split it into transactions of a few dozen events, each paying its statements and round trips.
    # Per-event handlers with round trips of their own (notify's messages) gain from several at once.
    consumer_bulk_max_transactions: int | None = Field(default=None, gt=0)
    # Deliveries waiting in a main queue before a further transaction starts beside the running one(s) (unset:
    # `consumer_prefetch / consumer_max_transactions`, so a trickle shares few transactions). 1: latency over
    # batching (issue 20, provisioning's `InvoicePaid`: a payment does not wait for the transaction before it).
    consumer_spread: int | None = Field(default=None, gt=0)
    run_workers: bool = True  # start the outbox relay and consumers with the app
    # Issue 20: "separate" leaves the bulk lane (the relay's bulk loop, the consumers' `.bulk` queues) to a worker
    # process of its own at a lower CPU priority, `python -m abono.bulk_worker <app factory>`; the app then only
    # declares the bulk queues. "in_process": the app runs every lane itself (tests, a single process).
    bulk_lane: Literal["in_process", "separate"] = "in_process"
    # The bulk worker's own HTTP listener (on `host`): `/healthz` (its liveness) and `/metrics` (its counters: the
    # consumers', the relay's bulk lane, a renewal run's progress), since it serves no API. Unset: `port` + 1000
    # (billing 9001, provisioning 9002, notify 9003); 0: none.
    bulk_metrics_port: int | None = Field(default=None, ge=0, le=65535)
    # The largest request body this service reads (bytes); a larger one is answered 413 (issue 11).
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # How often each replica reloads the accounts whose tokens were revoked (abono.revocation).
    revocation_poll_seconds: float = Field(default=1.0, gt=0)
    platform: PlatformSettings = Field(default_factory=PlatformSettings)

    # Processes serving this service in one replica (`python -m abono.serve`, issue 20): each is a whole replica in
    # itself (its pools, relay, consumers, jobs); `/metrics` sums them. The start command reads it.
    web_workers: int = Field(default=1, ge=1, le=64)

    def connections_per_replica(self) -> int:
        """The most connections one replica of this service opens (all its web workers): what the budget adds up."""
        per_process = self.db_pool_size + self.db_max_overflow + self.db_read_pool_size + RELAY_CONNECTIONS
        return per_process * self.web_workers

    def bulk_listener_port(self) -> int | None:
        """Where `python -m abono.bulk_worker` serves `/healthz` and `/metrics`, or None for nowhere."""
        if self.bulk_metrics_port is None:
            return self.port + BULK_METRICS_PORT_OFFSET
        return self.bulk_metrics_port or None

    def listen_url(self) -> str:
        """Where the outbox relay LISTENs: PostgreSQL itself (a LISTEN cannot go through transaction pooling)."""
        return self.direct_database_url or self.database_url
