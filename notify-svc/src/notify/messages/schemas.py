import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class InboxMessage(BaseModel):
    """A message in the client panel's inbox."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    subject: str
    body_text: str
    body_html: str | None
    created_at: datetime
    read_at: datetime | None


class InboxPage(BaseModel):
    items: list[InboxMessage]
    unread: int


class LinkClicks(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    url: str
    click_count: int
    first_clicked_at: datetime | None
    last_clicked_at: datetime | None


class StatusReportPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: str
    reported_at: datetime
    detail: str | None


class MessageDelivery(BaseModel):
    """For staff: what the client was told, where, and the proof it arrived (N-3)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    client_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    kind: str
    channel: str
    address: str | None
    language: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    open_count: int
    first_opened_at: datetime | None
    last_opened_at: datetime | None
    links: list[LinkClicks] = []
    reports: list[StatusReportPublic] = []
