"""The one aiohttp session the gateway talks to the services with (FIELD-NOTES: httpx is slow as a proxy)."""

from __future__ import annotations

import aiohttp
from fastapi import FastAPI

from gateway.config import GatewaySettings


async def open_upstream(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    app.state.upstream = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=settings.proxy_max_connections),
        timeout=aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.proxy_connect_timeout_seconds,
            sock_read=settings.proxy_read_timeout_seconds,
        ),
        # Bodies pass through byte for byte: no decompression, and no cookie jar, which would leak one
        # user's cookies into another user's requests through the shared session.
        auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
    )


async def close_upstream(app: FastAPI) -> None:
    upstream: aiohttp.ClientSession | None = getattr(app.state, "upstream", None)
    if upstream is not None:
        await upstream.close()


def upstream_of(app: FastAPI) -> aiohttp.ClientSession:
    session: aiohttp.ClientSession = app.state.upstream
    return session
