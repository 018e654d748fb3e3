"""Issue 11 item 8: schemathesis over the merged OpenAPI document of the whole platform, as a client and as staff,
bounded (a few generated requests per operation, a fixed seed): no 5xx, and every answer's status, content type
and body are the ones the document declares. `make fuzz` runs the same with more examples against `make run`."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Platform

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fuzz.py"
EXAMPLES = 2


def _runner():  # scripts/ is not a package: load the one runner `make fuzz` uses
    spec = importlib.util.spec_from_file_location("abono_fuzz", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def test_i11_every_operation_answers_as_declared_for_a_client_and_for_staff(
    platform: Platform, admin_headers: dict[str, str]
) -> None:
    fuzz = _runner()
    gateway = platform.gateway_url
    # Blocking HTTP (schemathesis uses requests) in a thread: the platform is served by this event loop.
    client = await asyncio.to_thread(fuzz.client_headers, gateway)
    report = await asyncio.to_thread(
        fuzz.fuzz,
        gateway,
        {"client": client, "staff": admin_headers},
        examples=EXAMPLES,
        seed=11,
        skipped=fuzz.PLATFORM_SETTINGS_WRITES,  # shared platform: later tests must not run under random settings
    )
    assert report.runs > 200, report.runs  # every service's operations were reached, twice
    assert report.failures == [], "\n".join(report.failures)
