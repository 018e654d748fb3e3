"""The platform's services, in one table for the scripts (migrate, devrun, keys) and the container entrypoint.

A service whose folder is missing from the work tree is skipped by every script with a warning.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
KEYS_DIR = REPO_ROOT / ".run" / "keys"
PRIVATE_KEY = KEYS_DIR / "jwt-private.pem"
PUBLIC_KEY = KEYS_DIR / "jwt-public.pem"


BULK_WORKER_SERVICES = ("billing", "provisioning", "notify")


@dataclass(frozen=True)
class Service:
    name: str  # "billing": also the Python package and the database suffix
    folder: str  # "billing-svc"
    port: int

    @property
    def prefix(self) -> str:
        return f"{self.name.upper()}_"

    @property
    def path(self) -> Path:
        return REPO_ROOT / self.folder

    @property
    def app(self) -> str:
        return f"{self.name}.app:create_app"

    @property
    def exists(self) -> bool:
        return (self.path / "pyproject.toml").is_file()

    @property
    def has_migrations(self) -> bool:
        return (self.path / "alembic.ini").is_file() and (self.path / "migrations").is_dir()

    @property
    def bulk_worker(self) -> bool:
        """Whether its bulk lane runs in a worker process of its own (issue 20: `python -m abono.bulk_worker`): the
        services with a renewal run's mass of events to publish or apply, unless `<PREFIX>BULK_LANE=in_process`. The
        gateway keeps every lane: its live streams are fed by the events it consumes in its own process."""
        return self.name in BULK_WORKER_SERVICES and self.env("BULK_LANE", "separate") == "separate"

    def env(self, key: str, default: str) -> str:
        """`<PREFIX><KEY>` from the environment, e.g. `BILLING_PORT`."""
        return os.environ.get(f"{self.prefix}{key}", default)

    @property
    def database_url(self) -> str:
        return self.env("DATABASE_URL", f"postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/abono_{self.name}")

    @property
    def direct_database_url(self) -> str:
        """PostgreSQL itself (`<PREFIX>DIRECT_DATABASE_URL`) when `database_url` is a transaction-pooling PgBouncer:
        migrations hold a session advisory lock and pg_dump a session, which transaction pooling cannot give."""
        return self.env("DIRECT_DATABASE_URL", self.database_url)

    @property
    def host(self) -> str:
        return self.env("HOST", "127.0.0.1")

    @property
    def listen_port(self) -> int:
        return int(self.env("PORT", str(self.port)))


SERVICES: tuple[Service, ...] = (
    Service("gateway", "gateway", 8000),
    Service("billing", "billing-svc", 8001),
    Service("provisioning", "provisioning-svc", 8002),
    Service("notify", "notify-svc", 8003),
    Service("support", "support-svc", 8004),
    Service("affiliate", "affiliate-svc", 8005),
)


def select(names: list[str] | None = None, *, quiet: bool = False) -> list[Service]:
    """The services named (all when none), minus those whose folder is missing (with a warning)."""
    known = {s.name: s for s in SERVICES}
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        sys.exit(f"unknown service(s): {', '.join(unknown)} (known: {', '.join(known)})")
    chosen = [known[n] for n in names] if names else list(SERVICES)
    present = []
    for service in chosen:
        if service.exists:
            present.append(service)
        elif not quiet:
            warn(f"{service.name}: {service.folder}/ does not exist yet, skipped")
    return present


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)
