"""Staff actions at the gateway; each one is written to the audit trail in the same transaction (issue 14 item 7)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Principal, Role
from abono.errors import NotFound
from gateway.accounts.closure import close_account
from gateway.accounts.models import User
from gateway.audit.repository import AuditRepository
from gateway.identity.models import IdentityVerification
from gateway.staff.repository import StaffClientRepository
from gateway.staff.schemas import ClientProfile, ClientSummary, Verification


async def audit(
    session: AsyncSession, *, actor: Principal, action: str, client_id: uuid.UUID | None, at: datetime, **details: Any
) -> None:
    await AuditRepository(session).add(
        actor_id=actor.user_id, actor_email=actor.email, action=action, client_id=client_id, at=at, details=details
    )


def summary_of(user: User, verification: str | None) -> ClientSummary:
    return ClientSummary(
        id=user.id,
        number=user.number,
        name=user.name,
        email=user.email,
        phone=user.phone,
        country=user.country,
        currency=user.currency,
        role=user.role,
        verification=verification,
        created_at=user.created_at,
        closed_at=user.closed_at,
    )


def profile_of(user: User, identity: IdentityVerification | None) -> ClientProfile:
    return ClientProfile(
        **summary_of(user, identity.status if identity else None).model_dump(),
        language=user.language,
        email_verified_at=user.email_verified_at,
        closed_reason=user.closed_reason,
        identity=Verification.model_validate(identity) if identity else None,
    )


async def client_profile(*, session: AsyncSession, client_id: uuid.UUID) -> ClientProfile:
    found = await StaffClientRepository(session).profile(client_id)
    if found is None or found[0].role != Role.CLIENT:
        raise NotFound("No such client.")
    return profile_of(*found)


async def close_client(
    *, session: AsyncSession, actor: Principal, client_id: uuid.UUID, reason: str, now: datetime
) -> ClientProfile:
    """Close a client's account on request: no more sign-ins; its services follow the automation (P-5)."""
    profile = await client_profile(session=session, client_id=client_id)
    if profile.closed_at is None:
        await close_account(
            session=session,
            user_id=client_id,
            reason="staff",
            rule="staff",
            now=now,
            actor_id=str(actor.user_id),
            note=reason,
        )
        await audit(session, actor=actor, action="close_account", client_id=client_id, at=now, reason=reason)
    return await client_profile(session=session, client_id=client_id)
