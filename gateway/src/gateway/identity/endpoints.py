"""A-2 endpoints: the client's own verification (`/api/identity/me...`), staff's review (`/api/identity/staff...`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from abono.auth import StaffPrincipal
from abono.bounds import OffsetQuery, PageSizeQuery
from abono.db import SessionDep
from abono.errors import NotFound
from gateway.deps import CurrentUser, Now
from gateway.errors import problem_responses
from gateway.identity import service
from gateway.identity.config import IdentitySettings
from gateway.identity.models import DocumentSide, IdentityDocument, IdentityStatus, IdentityVerification
from gateway.identity.schemas import IdentityDecision, IdentityPublic, IdentitySubmit
from gateway.staff.service import audit

router = APIRouter(prefix="/api/identity", tags=["identity"])
ClientId = Annotated[uuid.UUID, Path()]


async def _vault(request: Request) -> service.Vault:
    vault: service.Vault = request.app.state.identity_vault
    return vault


async def _settings(request: Request) -> IdentitySettings:
    settings: IdentitySettings = request.app.state.identity_settings
    return settings


VaultDep = Annotated[service.Vault, Depends(_vault)]
IdentitySettingsDep = Annotated[IdentitySettings, Depends(_settings)]


async def _public(session: SessionDep, client_id: uuid.UUID, found: IdentityVerification | None) -> IdentityPublic:
    documents = await service.sides(session, client_id)
    if found is None:
        return IdentityPublic(client_id=client_id, status=IdentityStatus.DRAFT.value, documents=documents,
                              legal_name=None, document_type=None, tax_id_last4=None, submitted_at=None,
                              decided_at=None, reason=None)
    return IdentityPublic(client_id=client_id, status=found.status, documents=documents, legal_name=found.legal_name,
                          document_type=found.document_type, tax_id_last4=found.tax_id_last4, address=found.address,
                          submitted_at=found.submitted_at, decided_at=found.decided_at, reason=found.reason)


@router.get("/me", summary="My identity verification: state, files uploaded, reason of a rejection",
            responses=problem_responses(401, 403))
async def my_identity(user: CurrentUser, session: SessionDep) -> IdentityPublic:
    """Signed-in client. Returns your identity verification: its status (draft, pending, verified, rejected), which
    files are uploaded, the legal name, document type and last four digits of the tax id you sent, and the reason
    when staff rejected it.
    """
    return await _public(session, user.id, await session.get(IdentityVerification, user.id))


@router.put("/me/documents/{side}", status_code=status.HTTP_204_NO_CONTENT,
            summary="Upload one file as the raw body: the document's front or back (JPEG, PNG, PDF) or a selfie "
                    "(JPEG, PNG); the type is checked by content, the size capped, the file stored encrypted",
            responses=problem_responses(401, 403, 409, 413, 422))
async def upload(side: DocumentSide, request: Request, user: CurrentUser, session: SessionDep, now: Now,
                 vault: VaultDep, settings: IdentitySettingsDep) -> Response:
    """Signed-in client: send the file itself as the request body, one call per side (front, back, selfie); uploading a
    side again replaces it and puts the verification back to draft. 422 when the file is empty, too large or of
    another type (413 when the body exceeds the size cap); 409 while the verification is pending or verified.
    """
    data = await request.body()
    await service.upload(session=session, vault=vault, settings=settings, client_id=user.id, side=side, data=data,
                         now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/submit", status_code=status.HTTP_202_ACCEPTED,
             summary="Send the files, my legal name and tax id to staff for review",
             responses=problem_responses(401, 403, 409, 422))
async def submit(data: IdentitySubmit, user: CurrentUser, session: SessionDep, now: Now,
                 vault: VaultDep) -> IdentityPublic:
    """Signed-in client, once front, back and selfie are uploaded: sends them with your legal name, document type,
    tax id and, optionally, the postal address your invoices should show, for staff to review, and returns the
    verification, now pending (202). Once approved, your invoices are made out to that name, tax id and address.
    422 when a file is missing (listed in `missing`) or the tax id is malformed; 409 when it is already pending or
    verified.
    """
    found = await service.submit(session=session, vault=vault, client_id=user.id, legal_name=data.legal_name,
                                 tax_id=data.tax_id, document_type=data.document_type, address=data.address,
                                 now=now)
    return await _public(session, user.id, found)


@router.get("/staff", summary="Staff: identity verifications (status=pending: the ones to review)",
            responses=problem_responses(401, 403, 422))
async def staff_list(_: StaffPrincipal, session: SessionDep, status: IdentityStatus | None = None,
                     limit: PageSizeQuery = 100, offset: OffsetQuery = 0) -> list[IdentityPublic]:
    """Staff and admins. Lists identity verifications, filtered by `status` (use `pending` for the review queue),
    paginated with `limit` and `offset`.
    """
    rows = await service.listed(session, status=status.value if status else None, limit=limit, offset=offset)
    return [await _public(session, row.client_id, row) for row in rows]


@router.get("/staff/{client_id}/documents/{side}", summary="Staff: one uploaded file, decrypted",
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "application/pdf": {}}},
                       **problem_responses(401, 403, 404)})
async def staff_document(client_id: ClientId, side: DocumentSide, _: StaffPrincipal, session: SessionDep,
                         vault: VaultDep) -> Response:
    """Staff and admins. Downloads one uploaded file of a client (front, back or selfie) as JPEG, PNG or PDF, as an
    attachment that is never cached. 404 when that file was not uploaded.
    """
    document = await session.get(IdentityDocument, (client_id, side.value))
    if document is None:
        raise NotFound("No such file.")
    return Response(vault.open(document.data_encrypted), media_type=document.content_type,
                    headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
                             "Content-Disposition": f'attachment; filename="{side.value}"'})


@router.post("/staff/{client_id}/approve", summary="Staff: approve a client's identity",
             responses=problem_responses(401, 403, 404, 409))
async def approve(client_id: ClientId, data: IdentityDecision, principal: StaffPrincipal, session: SessionDep,
                  now: Now, vault: VaultDep, settings: IdentitySettingsDep) -> IdentityPublic:
    """Staff and admins. Approves a pending verification and returns it, now verified; an optional reason is kept and
    the decision is audited. The other services learn the client is verified. 404 when the client has no
    verification, 409 when it is not pending.
    """
    found = await service.decide(session=session, vault=vault, settings=settings, client_id=client_id, approve=True,
                                 reason=data.reason, staff_id=principal.user_id, now=now)
    await audit(session, actor=principal, action="identity_approve", client_id=client_id, at=now, reason=data.reason)
    return await _public(session, client_id, found)


@router.post("/staff/{client_id}/reject", summary="Staff: reject with a reason; the client may try again",
             responses=problem_responses(401, 403, 404, 409, 422))
async def reject(client_id: ClientId, data: IdentityDecision, principal: StaffPrincipal, session: SessionDep,
                 now: Now, vault: VaultDep, settings: IdentitySettingsDep) -> IdentityPublic:
    """Staff and admins. Rejects a pending verification with a reason (required, 422 without it) that the client sees
    in `GET /api/identity/me`; the client can upload files and submit again. The decision is audited. 404 when the
    client has no verification, 409 when it is not pending.
    """
    found = await service.decide(session=session, vault=vault, settings=settings, client_id=client_id,
                                 approve=False, reason=data.reason, staff_id=principal.user_id, now=now)
    await audit(session, actor=principal, action="identity_reject", client_id=client_id, at=now, reason=data.reason)
    return await _public(session, client_id, found)
