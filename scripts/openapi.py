"""Write the platform's merged OpenAPI document (what the gateway serves at `/openapi.json`) to a file.

Every app is built in-process from code and merged exactly as `gateway.apidocs` merges the live documents, so the
panel's typed client follows every endpoint change at build time. Building an app and asking for its schema starts
nothing: no database, broker or network is touched.

    python scripts/openapi.py panel/openapi.json
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from _services import SERVICES

from abono.auth import generate_keypair
from abono.settings import PlatformSettings
from gateway.apidocs.merge import Doc, errors_as_problems, merge


def build_documents() -> tuple[Doc, dict[str, Doc | None]]:
    """The gateway's own document and each present service's, from their app factories."""
    private_pem, public_pem = generate_keypair()
    platform = PlatformSettings(environment="development", jwt_public_key=public_pem)  # type: ignore[call-arg]
    own: Doc = {}
    services: dict[str, Doc | None] = {}
    for service in SERVICES:
        if not service.exists:
            continue
        config = importlib.import_module(f"{service.name}.config")
        settings_cls = next(
            value for name, value in vars(config).items() if name.endswith("Settings") and name != "PlatformSettings"
            and getattr(value, "__module__", "") == config.__name__
        )
        extra: dict[str, Any] = {"jwt_private_key": private_pem} if service.name == "gateway" else {}
        settings = settings_cls(platform=platform, **extra)
        app = importlib.import_module(f"{service.name}.app").create_app(settings)
        if service.name == "gateway":
            own = errors_as_problems(app.openapi())
        else:
            services[service.name] = app.openapi()
    return own, services


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit("usage: python scripts/openapi.py OUTPUT.json")
    own, services = build_documents()
    text = json.dumps(merge(own, services), indent=1, sort_keys=True) + "\n"
    out = Path(argv[1])
    if not out.exists() or out.read_text() != text:  # unchanged: keep the mtime, so make does not rebuild
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)


if __name__ == "__main__":
    main(sys.argv)
