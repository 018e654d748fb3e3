"""B-21: what the provider says about a method being saved, by webhook, so a setup never stays pending: saved
(active, even when the client never came back from the provider's page), refused, or left unfinished until the
provider expired its page (failed: never charged; a later success on the same page still activates it).
Registered by `billing.bootstrap.wire` as a keeper of saved methods."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from billing.autopay.models import MethodStatus
from billing.autopay.repository import MethodRepository
from billing.payments.provider import MethodUpdate

log = structlog.get_logger("billing.autopay")

_FINAL = (MethodStatus.ACTIVE, MethodStatus.REMOVED)


async def apply_setup_update(session: AsyncSession, clock: Clock, update: MethodUpdate) -> str | None:
    """The saved method's new state; None when the update names no setup of ours."""
    if not update.setup_key:
        return None
    row = await MethodRepository(session).by_setup_key(update.provider, update.setup_key)
    if row is None:
        return None
    if row.status in _FINAL:
        return f"saved method {row.status}"
    if update.state == "active" and update.method_ref:
        row.status, row.saved_at = MethodStatus.ACTIVE.value, clock.now()
        row.method_ref, row.label = update.method_ref, update.label
        row.customer_ref = update.customer_ref or row.customer_ref
    elif update.state in ("failed", "expired") and row.status == MethodStatus.PENDING:
        row.status = MethodStatus.FAILED.value
    else:
        return f"saved method {row.status}"
    await session.flush()
    log.info("saved_method_updated", method_id=str(row.id), state=update.state, detail=update.detail)
    return f"saved method {row.status}"
