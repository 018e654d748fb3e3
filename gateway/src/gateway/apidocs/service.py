"""Reading the services' OpenAPI documents live, each cached briefly (a service that is down is left out)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import structlog

from gateway.apidocs.merge import Doc
from gateway.proxy.h1 import UpstreamError
from gateway.proxy.upstream import UpstreamClient

log = structlog.get_logger("gateway.apidocs")


class SchemaCache:
    """Each service's document (or its absence) for `ttl` seconds, so /docs reloads do not hit every service."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Doc | None]] = {}

    async def get_all(
        self, *, http: UpstreamClient, service_urls: dict[str, str], timeout_seconds: float, ttl: float
    ) -> dict[str, Doc | None]:
        """Every service's document, fetched concurrently where the cached one is stale."""
        names = list(service_urls)
        docs = await asyncio.gather(
            *(
                self._get(http=http, service=name, url=service_urls[name], timeout_seconds=timeout_seconds, ttl=ttl)
                for name in names
            )
        )
        return dict(zip(names, docs, strict=True))

    async def _get(
        self, *, http: UpstreamClient, service: str, url: str, timeout_seconds: float, ttl: float
    ) -> Doc | None:
        now = time.monotonic()
        cached = self._entries.get(service)
        if cached is not None and cached[0] > now:
            return cached[1]
        doc = await fetch_schema(http=http, service=service, url=url, timeout_seconds=timeout_seconds)
        self._entries[service] = (now + ttl, doc)
        return doc


async def fetch_schema(*, http: UpstreamClient, service: str, url: str, timeout_seconds: float) -> Doc | None:
    """`<url>/openapi.json`, or None if the service does not answer it in time."""
    try:
        async with asyncio.timeout(timeout_seconds):
            status, body = await http.fetch(
                "GET", f"{url}/openapi.json", headers={"Accept": "application/json", "Accept-Encoding": "identity"}
            )
        if status != 200:
            log.info("openapi_unavailable", service=service, status=status)
            return None
        doc: Any = json.loads(body)
    except (UpstreamError, TimeoutError, ValueError) as exc:
        log.info("openapi_unavailable", service=service, error=str(exc) or type(exc).__name__)
        return None
    return doc if isinstance(doc, dict) else None
