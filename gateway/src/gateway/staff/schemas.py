import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from abono.auth import Role


class ClientSummary(BaseModel):
    """One line of the console's client search."""

    id: uuid.UUID
    number: int = Field(description="The client number staff read on the phone (shown as C-<number>)")
    name: str
    email: str
    phone: str | None
    country: str | None
    currency: str
    role: Role
    verification: str | None = Field(description="A-2 status (draft, pending, verified, rejected); null if never")
    created_at: datetime
    closed_at: datetime | None


class StaffMember(BaseModel):
    """A staff member or admin, as the console lists them (e.g. to assign a ticket)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    email: str
    role: Role
    totp: bool = False  # has a second factor (an admin can reset it: POST /api/auth/users/{id}/totp/reset)


class Verification(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: str
    document_type: str | None
    legal_name: str | None
    tax_id_last4: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    reason: str | None


class ClientProfile(ClientSummary):
    """The client 360's profile block (issue 14 item 2)."""

    language: str
    email_verified_at: datetime | None
    closed_reason: str | None
    identity: Verification | None


class CloseAccount(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "Contracargo de la factura F-2026-00123 (disputa en Stripe)"}
    ]})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    actor_id: uuid.UUID
    actor_email: str
    action: str
    client_id: uuid.UUID | None
    details: dict[str, Any]
    at: datetime


class GatewayWork(BaseModel):
    """What needs a person today, from the gateway's side (the console's home)."""

    identity_reviews: int = Field(description="A-2 verifications waiting for staff")
