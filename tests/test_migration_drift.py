"""#12 item 6: every service's migrations and models agree. Each service's database is built from its Alembic
history alone, then compared with the metadata its `migrations/env.py` registers: autogenerate must find nothing to
write (a model changed without a migration, or a table its env does not register, fails here)."""

import importlib
from pathlib import Path

import pytest

from abono.migrations import drift
from abono.testing import migrated_database

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {
    "gateway": "gateway",
    "billing": "billing-svc",
    "provisioning": "provisioning-svc",
    "notify": "notify-svc",
    "support": "support-svc",
    "affiliate": "affiliate-svc",
}


@pytest.mark.parametrize("package", sorted(SERVICES))
async def test_migrations_match_the_models_with_no_drift(package: str) -> None:
    importlib.import_module(f"{package}.models")  # what the service's migrations/env.py imports
    metadata = importlib.import_module(f"{package}.db").metadata
    url = await migrated_database(SERVICES[package], f"abono_test_drift_{package}")
    assert await drift(url, metadata) == []


@pytest.mark.parametrize("package", sorted(SERVICES))
def test_every_alembic_env_registers_the_service_models(package: str) -> None:
    env = (ROOT / SERVICES[package] / "migrations" / "env.py").read_text()
    assert f"import {package}.models" in env
