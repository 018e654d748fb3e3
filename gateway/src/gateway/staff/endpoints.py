"""The console's gateway endpoints (issue 14): `/api/auth/staff/...`, staff and admins only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from abono.auth import StaffPrincipal
from abono.bounds import PageSizeQuery, SearchQuery
from abono.db import SessionDep
from gateway.audit.repository import AuditRepository
from gateway.deps import Now
from gateway.errors import problem_responses
from gateway.staff import service
from gateway.staff.repository import StaffClientRepository
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
    """Staff and admins. Searches clients by client number, name, e-mail, phone or identity document with `q` and
    returns up to `limit` matches, each with its verification status.
    """
    found = await StaffClientRepository(session).search(q, limit=limit)
    return [service.summary_of(user, status) for user, status in found]


@router.get(
    "/members",
    summary="Staff members and admins, e.g. to assign a ticket (staff)",
    responses=problem_responses(401, 403),
)
async def staff_members(_: StaffPrincipal, session: SessionDep) -> list[StaffMember]:
    """Staff and admins. Lists the staff and admin accounts (name, e-mail, role, whether two-factor authentication is
    enrolled), e.g. to pick whom to assign a ticket.
    """
    members = await StaffClientRepository(session).staff_members()
    enrolled = await TotpRepository(session).enrolled([user.id for user in members])
    return [StaffMember.model_validate(user).model_copy(update={"totp": user.id in enrolled}) for user in members]


@router.get(
    "/clients/{client_id}",
    summary="A client's profile and verification (staff)",
    responses=problem_responses(401, 403, 404),
)
async def client_profile(client_id: uuid.UUID, _: StaffPrincipal, session: SessionDep) -> ClientProfile:
    """Staff and admins. Returns one client's profile: contact details, e-mail verification, identity verification
    status and whether the account is closed. 404 when there is no such client.
    """
    return await service.client_profile(session=session, client_id=client_id)


@router.post(
    "/clients/{client_id}/close",
    summary="Close a client's account, with the reason (staff, audited)",
    responses=problem_responses(401, 403, 404, 422),
)
async def close_client(
    client_id: uuid.UUID, body: CloseAccount, principal: StaffPrincipal, session: SessionDep, now: Now
) -> ClientProfile:
    """Staff and admins. Closes a client's account with a required reason and returns the profile; the action is
    audited. From then on the client cannot sign in, every session ends and its services follow the account's
    closure. Closing a closed account changes nothing. 404 for an unknown client, 422 without a reason.
    """
    return await service.close_client(
        session=session, actor=principal, client_id=client_id, reason=body.reason, now=now
    )


@router.get(
    "/audit", summary="Staff actions taken at the gateway, newest first (staff)", responses=problem_responses(401, 403)
)
async def audit_trail(
    _: StaffPrincipal, session: SessionDep, client_id: uuid.UUID | None = None, limit: PageSizeQuery = 100
) -> list[AuditEntryPublic]:
    """Staff and admins. Returns the actions staff took at the gateway (role changes, identity decisions, account
    closures, second factors...), newest first: who, when and on which client. Filter by `client_id`; `limit` caps
    the list."""
    rows = await AuditRepository(session).for_client(client_id, limit=limit)
    return [AuditEntryPublic.model_validate(row) for row in rows]


@router.get("/work", summary="What waits for a person at the gateway (staff)", responses=problem_responses(401, 403))
async def work(_: StaffPrincipal, session: SessionDep) -> GatewayWork:
    """Staff and admins. Returns the counts of what waits for a person at the gateway, such as the identity
    verifications pending review, for the console's work queue.
    """
    return GatewayWork(identity_reviews=await StaffClientRepository(session).count_pending_verifications())
