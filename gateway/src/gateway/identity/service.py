"""A-2: uploading, submitting, and staff's decision. Every change happens in the request's transaction; approval
emits `ClientVerified` and `ClientInvoicingIdentityChanged` (billing's invoice document, #15 item 6) through the
outbox in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from abono.crypto import SecretBox
from abono.errors import Conflict, InvalidInput, NotFound
from abono.events import ClientInvoicingIdentityChanged, ClientVerified
from abono.messaging.outbox import emit
from gateway.identity.config import IdentitySettings
from gateway.identity.models import DocumentSide, IdentityDocument, IdentityStatus, IdentityVerification
from gateway.identity.rules import IMAGES, fingerprint, normalise_tax_id, sniff


class Vault(SecretBox):
    """Files and tax ids at rest: encrypted with the first key, decrypted with any (rotation)."""

    def __init__(self, settings: IdentitySettings) -> None:
        super().__init__(settings.secret_keys)


async def _verification(session: AsyncSession, client_id: uuid.UUID, now: datetime) -> IdentityVerification:
    found = await session.get(IdentityVerification, client_id, with_for_update=True)
    if found is None:
        found = IdentityVerification(client_id=client_id, status=IdentityStatus.DRAFT.value, updated_at=now)
        session.add(found)
        await session.flush()
    return found


def _editable(verification: IdentityVerification) -> None:
    if verification.status in (IdentityStatus.PENDING, IdentityStatus.VERIFIED):
        raise Conflict(f"Your identity is {verification.status}: it cannot be changed now.")


async def upload(*, session: AsyncSession, vault: Vault, settings: IdentitySettings, client_id: uuid.UUID,
                 side: DocumentSide, data: bytes, now: datetime) -> IdentityDocument:
    """Store one file: its type is checked by content (document: JPEG, PNG or PDF; selfie: JPEG or PNG)."""
    if not data:
        raise InvalidInput("The file is empty.")
    if len(data) > settings.max_file_bytes:
        raise InvalidInput(f"A file may be at most {settings.max_file_bytes} bytes.")
    content_type = sniff(data)
    allowed = IMAGES if side is DocumentSide.SELFIE else IMAGES | {"application/pdf"}
    if content_type not in allowed:
        raise InvalidInput("The file must be a JPEG or PNG image" + ("." if side is DocumentSide.SELFIE
                                                                    else " or a PDF."))
    verification = await _verification(session, client_id, now)
    _editable(verification)
    document = await session.get(IdentityDocument, (client_id, side.value))
    if document is None:
        document = IdentityDocument(client_id=client_id, side=side.value)
        session.add(document)
    document.content_type, document.size_bytes = content_type, len(data)
    document.data_encrypted, document.uploaded_at = vault.seal(data), now
    verification.status, verification.updated_at = IdentityStatus.DRAFT.value, now
    await session.flush()
    return document


async def sides(session: AsyncSession, client_id: uuid.UUID) -> list[str]:
    return sorted(await session.scalars(select(IdentityDocument.side)
                                        .where(IdentityDocument.client_id == client_id)))


async def submit(*, session: AsyncSession, vault: Vault, client_id: uuid.UUID, legal_name: str, tax_id: str,
                 document_type: str, now: datetime, address: str | None = None) -> IdentityVerification:
    """Send the files, the legal name, the tax id and the invoices' address to staff; every side must be uploaded."""
    verification = await _verification(session, client_id, now)
    _editable(verification)
    missing = sorted({s.value for s in DocumentSide} - set(await sides(session, client_id)))
    if missing:
        raise InvalidInput(f"Upload these first: {', '.join(missing)}.", missing=missing)
    normalised = normalise_tax_id(tax_id)
    if not 6 <= len(normalised) <= 20:
        raise InvalidInput("The tax id must have 6 to 20 letters or digits.")
    verification.status, verification.legal_name, verification.document_type = (
        IdentityStatus.PENDING.value, legal_name, document_type)
    verification.tax_id_encrypted = vault.seal(normalised.encode()).decode()
    verification.tax_id_last4 = normalised[-4:]
    verification.address = address or None
    verification.submitted_at, verification.updated_at, verification.reason = now, now, None
    await session.flush()
    return verification


async def decide(*, session: AsyncSession, vault: Vault, settings: IdentitySettings, client_id: uuid.UUID,
                 approve: bool, reason: str, staff_id: uuid.UUID, now: datetime) -> IdentityVerification:
    """Staff approve (`ClientVerified` is emitted) or reject (with a reason) a pending verification."""
    verification = await session.get(IdentityVerification, client_id, with_for_update=True)
    if verification is None:
        raise NotFound("No identity verification for this client.")
    if verification.status != IdentityStatus.PENDING:
        raise Conflict(f"Only a pending verification can be decided; this one is {verification.status}.")
    if not approve and not reason:
        raise InvalidInput("Say why the verification is rejected.")
    verification.status = (IdentityStatus.VERIFIED if approve else IdentityStatus.REJECTED).value
    verification.reason = reason or None
    verification.decided_at, verification.decided_by, verification.updated_at = now, staff_id, now
    await session.flush()
    if approve:
        assert verification.tax_id_encrypted is not None and verification.legal_name is not None
        tax_id = vault.open(verification.tax_id_encrypted.encode()).decode()
        await emit(session, ClientVerified(
            client_id=client_id, legal_name=verification.legal_name, occurred_at=now,
            document_fingerprint=fingerprint(tax_id, settings.fingerprint_key.get_secret_value())))
        # #15 item 6: billing makes the invoices out to the verified name, tax id (normalised) and address.
        await emit(session, ClientInvoicingIdentityChanged(
            client_id=client_id, legal_name=verification.legal_name, tax_id=tax_id, address=verification.address,
            occurred_at=now))
    return verification


async def listed(session: AsyncSession, *, status: str | None, limit: int, offset: int
                 ) -> list[IdentityVerification]:
    query = select(IdentityVerification)
    if status is not None:
        query = query.where(IdentityVerification.status == status)
    return list(await session.scalars(query.order_by(IdentityVerification.updated_at, IdentityVerification.client_id)
                                      .limit(limit).offset(offset)))
