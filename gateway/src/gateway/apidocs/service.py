"""Reading the services' OpenAPI documents live, each cached briefly (a service that is down is left out)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import structlog

from gateway.apidocs.merge import Doc

log = structlog.get_logger("gateway.apidocs")


class SchemaCache:
    """Each service's document (or its absence) for `ttl` seconds, so /docs reloads do not hit every service."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Doc | None]] = {}

    async def get_all(
        self, *, http: aiohttp.ClientSession, service_urls: dict[str, str], timeout_seconds: float, ttl: float
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
        self, *, http: aiohttp.ClientSession, service: str, url: str, timeout_seconds: float, ttl: float
    ) -> Doc | None:
        now = time.monotonic()
        cached = self._entries.get(service)
        if cached is not None and cached[0] > now:
            return cached[1]
        doc = await fetch_schema(http=http, service=service, url=url, timeout_seconds=timeout_seconds)
        self._entries[service] = (now + ttl, doc)
        return doc


async def fetch_schema(*, http: aiohttp.ClientSession, service: str, url: str, timeout_seconds: float) -> Doc | None:
    """`<url>/openapi.json`, or None if the service does not answer it in time."""
    try:
        async with http.get(
            f"{url}/openapi.json",
            timeout=aiohttp.ClientTimeout(total=timeout_seconds),
            headers={"Accept": "application/json", "Accept-Encoding": "identity"},
        ) as response:
            if response.status != 200:
                log.info("openapi_unavailable", service=service, status=response.status)
                return None
            doc: Any = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.info("openapi_unavailable", service=service, error=str(exc) or type(exc).__name__)
        return None
    return doc if isinstance(doc, dict) else None
