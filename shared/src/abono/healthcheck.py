"""The image's HEALTHCHECK (`python -m abono.healthcheck`): 0 when this container's process answers, 1 if not.

`SERVICE_ROLE=app` (default): the app's `/readyz` on `SERVICE_PORT`. `SERVICE_ROLE=bulk` (`python -m abono.bulk_worker`,
issue 20): the bulk worker's `/healthz` on `<PREFIX>BULK_METRICS_PORT`, else on its app's port (`<PREFIX>PORT`, else
`SERVICE_PORT`) plus `BULK_METRICS_PORT_OFFSET`, as `ServiceSettings.bulk_listener_port` does; the prefix is
`SERVICE_MODULE`'s package (`billing.app:create_app` -> `BILLING_`). Standard library only: it runs every 10 s.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Mapping

BULK_METRICS_PORT_OFFSET = 1000


def probe_url(environ: Mapping[str, str]) -> str:
    """What the HEALTHCHECK asks, from the container's environment."""
    if environ.get("SERVICE_ROLE", "app") != "bulk":
        return f"http://127.0.0.1:{environ.get('SERVICE_PORT', '8000')}/readyz"
    prefix = environ["SERVICE_MODULE"].split(".", 1)[0].split(":", 1)[0].upper() + "_"
    port = environ.get(f"{prefix}BULK_METRICS_PORT")
    if not port:
        app_port = environ.get(f"{prefix}PORT") or environ.get("SERVICE_PORT", "8000")
        port = str(int(app_port) + BULK_METRICS_PORT_OFFSET)
    return f"http://127.0.0.1:{port}/healthz"


def main() -> int:
    url = probe_url(os.environ)
    try:
        with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 - loopback, this container
            return 0 if response.status == 200 else 1
    except OSError as exc:  # refused, timed out, or an HTTP error status (503)
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
