import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from support.sla.policy import Plan, SlaClass

MAX_ATTACHMENT_BASE64 = 8 * 1024 * 1024


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=200)
    # Base64 of the largest attachment (SUPPORT_ATTACHMENT_MAX_BYTES, checked again once decoded).
    content_base64: str = Field(min_length=1, max_length=MAX_ATTACHMENT_BASE64)


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "subject": "Mi sitio no carga",
            "sla_class": "SLA3",
            "message": "Desde hoy a la mañana mi sitio muestra un error 500.",
        }
    ]})

    subject: str = Field(min_length=3, max_length=200)
    sla_class: SlaClass
    service_id: uuid.UUID | None = None
    message: str = Field(min_length=1, max_length=20_000)
    attachments: list[AttachmentIn] = Field(default=[], max_length=5)


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"message": "Ya probamos de nuevo y el sitio carga bien. ¿Lo puede confirmar?", "status": "waiting_on_client"}
    ]})

    message: str | None = Field(default=None, min_length=1, max_length=20_000)
    attachments: list[AttachmentIn] = Field(default=[], max_length=5)
    # Staff only: an internal note (never shown to the client), the status the reply leaves, a canned reply.
    internal: bool = False
    status: Literal["answered", "waiting_on_client", "closed"] | None = None
    canned_reply_id: uuid.UUID | None = None


class TicketUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"assigned_to": "3f2b8c1e-5d4a-4b7e-9c61-2a8e0f4d7b93", "status": "answered"}
    ]})

    assigned_to: uuid.UUID | None = None
    unassign: bool = False
    status: Literal["open", "answered", "waiting_on_client", "closed"] | None = None


class TicketMerge(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"into_ticket_id": "3f2b8c1e-5d4a-4b7e-9c61-2a8e0f4d7b93"}
    ]})

    into_ticket_id: uuid.UUID


class AttachmentPublic(BaseModel):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int


class MessagePublic(BaseModel):
    id: uuid.UUID
    author: str
    author_id: uuid.UUID | None
    body: str
    internal: bool
    channel: str
    created_at: datetime
    attachments: list[AttachmentPublic]


class TicketPublic(BaseModel):
    id: uuid.UUID
    code: str
    client_id: uuid.UUID
    subject: str
    sla_class: SlaClass
    plan: Plan
    service_id: uuid.UUID | None
    channel: str
    status: str
    priority: str
    assigned_to: uuid.UUID | None
    merged_into: uuid.UUID | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    first_response_due_at: datetime | None
    first_responded_at: datetime | None
    resolution_due_at: datetime | None
    next_deadline_at: datetime | None  # the nearest deadline still running (S-3), shown to the client


class TicketDetail(TicketPublic):
    messages: list[MessagePublic]


class CannedReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title": "Pedir captura", "body": "¿Podría enviarnos una captura de pantalla del error?"}
    ]})

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)


class CannedReplyPublic(BaseModel):
    id: uuid.UUID
    title: str
    body: str


class CalendarOverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "day_off", "note": "Puente turístico"}
    ]})

    kind: Literal["day_off", "working_day"]
    note: str = Field(default="", max_length=500)


class SettingChangePublic(BaseModel):
    """One audited change: who, when, what (`details`: the day, before and after)."""

    at: datetime
    actor_id: uuid.UUID
    action: str
    details: dict[str, Any]


class CalendarOverridePublic(BaseModel):
    day: date
    kind: str
    note: str


class SupportPlanPublic(BaseModel):
    plan: Plan
    remote_support: bool
    first_response_minutes: dict[str, int]
    appointment_minutes: list[int]  # S-7: the lengths an appointment may have
    appointment_change_cutoff_hours: int  # S-7: cancel or reschedule up to this long before the start
