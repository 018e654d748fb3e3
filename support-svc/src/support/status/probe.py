"""S-4 health probe per server (like Gatus): an HTTP GET answering 2xx/3xx, or a TCP connection, every
`probe_interval_seconds`. `failures_to_open` failed checks in a row open an incident by themselves; once
`successes_to_resolve` checks in a row pass again, that incident is resolved. Safe with replicas: due servers are
claimed with `FOR UPDATE SKIP LOCKED`, so each check is made and counted once."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from support.runtime import Runtime
from support.status import service
from support.status.models import Server
from support.status.repository import IncidentRepository, ServerRepository
from support.status.schemas import IncidentStatus, IncidentUpdateCreate

log = structlog.get_logger("support.probe")


async def check(kind: str, target: str, limit_seconds: float) -> str | None:
    """None if the server answered; otherwise what went wrong (kept for staff)."""
    try:
        if kind == "http":
            async with httpx.AsyncClient(timeout=limit_seconds, follow_redirects=False) as http:
                response = await http.get(target)
            return None if response.status_code < 400 else f"HTTP {response.status_code}"
        host, _, port = target.rpartition(":")
        _, writer = await asyncio.wait_for(asyncio.open_connection(host.strip("[]"), int(port)), limit_seconds)
        writer.close()
        await writer.wait_closed()
        return None
    except (OSError, TimeoutError, httpx.HTTPError) as exc:
        return f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__


async def probe_servers(session: AsyncSession, runtime: Runtime) -> int:
    """One pass: check every due server (concurrently), then record each result; returns how many were checked."""
    now = runtime.clock.now()
    servers = await ServerRepository(session).claim_due_probes(now=now, limit=runtime.settings.scheduler_batch_size)
    results = await asyncio.gather(
        *(check(s.probe_kind or "", s.probe_target or "", s.probe_timeout_seconds) for s in servers)
    )
    for server, error in zip(servers, results, strict=True):
        await _record(session, runtime, server=server, error=error, now=now)
    return len(servers)


async def _record(session: AsyncSession, runtime: Runtime, *, server: Server, error: str | None, now: datetime) -> None:
    server.last_checked_at, server.last_error = now, error
    open_by_probe = await IncidentRepository(session).open_on(server.name, source="probe")
    if error is not None:
        server.failing_since = server.failing_since or now
        server.consecutive_failures += 1
        server.consecutive_successes = 0
        if server.consecutive_failures >= server.failures_to_open and not open_by_probe:
            log.warning("probe_opened_incident", server=server.name, error=error)
            await service.open_incident(
                session,
                runtime,
                server=server,
                title=f"{server.label}: sin respuesta / not responding",
                message=f"El monitoreo automático no obtiene respuesta de {server.label} ({error}). "
                f"Automatic monitoring gets no answer from {server.label}.",
                status=IncidentStatus.INVESTIGATING,
                source="probe",
                started_at=server.failing_since,
                author_id=None,
            )
        return
    server.consecutive_successes += 1
    server.consecutive_failures, server.failing_since = 0, None
    if open_by_probe and server.consecutive_successes >= server.successes_to_resolve:
        for incident in open_by_probe:
            log.info("probe_resolved_incident", server=server.name, incident_id=str(incident.id))
            await service.update_incident(
                session,
                runtime,
                incident_id=incident.id,
                author_id=None,
                body=IncidentUpdateCreate(
                    status=IncidentStatus.RESOLVED,
                    message=(f"{server.label} responde de nuevo. {server.label} answers again."),
                ),
            )
