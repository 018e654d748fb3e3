"""S-4 Decision, at each month's end: for every service on a server whose downtime in the calendar month (incidents,
minus maintenance announced at least 48 hours before) broke the 99.89% promise, one `SlaCreditDecided` with the
tier's percentage; billing credits the balance (B-10) and notify announces it. The month is decided by one
transaction of one replica (`sla_months`), and each credit once per service and month (`sla_credits`' key)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from abono.events import SlaCreditDecided
from abono.messaging import emit
from abono.metrics import count_after_commit
from support.metrics import SLA_CREDITS
from support.runtime import Runtime
from support.status.downtime import Interval, credit_for, downtime, uptime_percent
from support.status.repository import IncidentRepository, MaintenanceRepository, ServerRepository, SlaRepository


def month_window(month: date, timezone: str) -> Interval:
    """The calendar month in the provider's time zone, as UTC instants."""
    tz = ZoneInfo(timezone)
    after = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (datetime(month.year, month.month, 1, tzinfo=tz), datetime(after.year, after.month, 1, tzinfo=tz))


def previous_month(now: datetime, timezone: str) -> date:
    first = now.astimezone(ZoneInfo(timezone)).date().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


async def server_downtime(session: AsyncSession, runtime: Runtime, window: Interval) -> dict[str, timedelta]:
    """Each server's downtime inside `window` (S-4 Decision)."""
    notice = timedelta(hours=runtime.settings.sla_maintenance_notice_hours)
    incidents: dict[str, list[Interval]] = defaultdict(list)
    excused: dict[str, list[Interval]] = defaultdict(list)
    for server, start, end in await IncidentRepository(session).intervals(since=window[0], until=window[1]):
        incidents[server].append((start, end))
    for server, start, end in await MaintenanceRepository(session).excused_intervals(
        since=window[0], until=window[1], notice=notice
    ):
        excused[server].append((start, end))
    return {
        server: downtime(incidents=spans, excused=excused[server], window=window) for server, spans in incidents.items()
    }


async def decide_month_credits(session: AsyncSession, runtime: Runtime) -> int:
    """The scheduler's job: decide last month once it is over (nothing to do until the next month ends)."""
    settings = runtime.settings
    now = runtime.clock.now()
    month = previous_month(now, settings.calendar_timezone)
    sla = SlaRepository(session)
    if not await sla.claim_month(month, now=now):
        return 0
    window = month_window(month, settings.calendar_timezone)
    tiers = settings.credit_tiers()
    decided = 0
    servers = ServerRepository(session)
    for server, down in sorted((await server_downtime(session, runtime, window)).items()):
        percent = credit_for(down, window, tiers)
        if percent == 0:
            continue
        uptime = uptime_percent(down, window)
        minutes = round(down.total_seconds() / 60)
        for svc in await servers.services_on(server, settings.sla_credited_statuses):
            event = SlaCreditDecided(
                service_id=svc.id,
                client_id=svc.client_id,
                month=month,
                server=server,
                product_name=svc.product_name,
                downtime_minutes=minutes,
                uptime_percent=uptime,
                credit_percent=percent,
                occurred_at=now,
            )
            if not await sla.add_credit_once(
                {
                    "service_id": svc.id,
                    "month": month,
                    "client_id": svc.client_id,
                    "server_name": server,
                    "downtime_minutes": minutes,
                    "uptime_percent": uptime,
                    "credit_percent": percent,
                    "event_id": event.event_id,
                    "decided_at": now,
                }
            ):
                continue
            await emit(session, event)
            count_after_commit(session, SLA_CREDITS, credit_percent=str(percent))
            decided += 1
    await sla.set_count(month, decided)
    return 0  # one month per pass: the scheduler need not come back at once
