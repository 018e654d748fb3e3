"""The console's gateway endpoints (issue 14): `/api/auth/staff/...`, staff and admins only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from abono.auth import StaffPrincipal
from abono.bounds import PageSizeQuery, SearchQuery
from abono.db import SessionDep
from gateway.deps import Now
from gateway.errors import problem_responses
from gateway.staff import service
from gateway.staff.repository import StaffAuditRepository, StaffClientRepository
from gateway.staff.schemas import (
    AuditEntryPublic,
    ClientProfile,
    ClientSummary,
    CloseAccount,
    GatewayWork,
    StaffMember,
)
from gateway.totp.repository import TotpRepository

router = APIRouter(prefix="/api/auth/staff", tags=["staff: clients"])


@router.get(
    "/clients",
    summary="Find clients by number, name, e-mail, phone or document (staff)",
    responses=problem_responses(401, 403, 422),
)
async def search_clients(
    q: SearchQuery, _: StaffPrincipal, session: SessionDep, limit: PageSizeQuery = 20
) -> list[ClientSummary]:
    found = await StaffClientRepository(session).search(q, limit=limit)
    return [service.summary_of(user, status) for user, status in found]


@router.get(
    "/members",
    summary="Staff members and admins, e.g. to assign a ticket (staff)",
    responses=problem_responses(401, 403),
)
async def staff_members(_: StaffPrincipal, session: SessionDep) -> list[StaffMember]:
    members = await StaffClientRepository(session).staff_members()
    enrolled = await TotpRepository(session).enrolled([user.id for user in members])
    return [StaffMember.model_validate(user).model_copy(update={"totp": user.id in enrolled}) for user in members]


@router.get(
    "/clients/{client_id}",
    summary="A client's profile and verification (staff)",
    responses=problem_responses(401, 403, 404),
)
async def client_profile(client_id: uuid.UUID, _: StaffPrincipal, session: SessionDep) -> ClientProfile:
    return await service.client_profile(session=session, client_id=client_id)


@router.post(
    "/clients/{client_id}/close",
    summary="Close a client's account, with the reason (staff, audited)",
    responses=problem_responses(401, 403, 404, 422),
)
async def close_client(
    client_id: uuid.UUID, body: CloseAccount, principal: StaffPrincipal, session: SessionDep, now: Now
) -> ClientProfile:
    return await service.close_client(
        session=session, actor=principal, client_id=client_id, reason=body.reason, now=now
    )


@router.get(
    "/audit", summary="Staff actions taken at the gateway, newest first (staff)", responses=problem_responses(401, 403)
)
async def audit_trail(
    _: StaffPrincipal, session: SessionDep, client_id: uuid.UUID | None = None, limit: PageSizeQuery = 100
) -> list[AuditEntryPublic]:
    rows = await StaffAuditRepository(session).for_client(client_id, limit=limit)
    return [AuditEntryPublic.model_validate(row) for row in rows]


@router.get("/work", summary="What waits for a person at the gateway (staff)", responses=problem_responses(401, 403))
async def work(_: StaffPrincipal, session: SessionDep) -> GatewayWork:
    return GatewayWork(identity_reviews=await StaffClientRepository(session).count_pending_verifications())
