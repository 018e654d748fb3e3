import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class TransferCreate(BaseModel):
    """The recipient, by e-mail or by client id (exactly one)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"to_email": "juan@example.com"}]})

    to_email: str | None = Field(default=None, min_length=3, max_length=320)
    to_client_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_recipient(self) -> "TransferCreate":
        if (self.to_email is None) == (self.to_client_id is None):
            raise ValueError("give the recipient's to_email or its to_client_id (one of them)")
        return self


class TransferPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    service_id: uuid.UUID
    product_name: str
    domain: str | None
    direction: Literal["outgoing", "incoming"] = "outgoing"  # from the caller's side
    status: str  # pending | completed | cancelled | expired
    from_client_id: uuid.UUID
    from_email: str | None
    to_client_id: uuid.UUID | None  # shown to the recipient, and to the owner once completed (issue 11)
    to_email: str | None  # as the owner typed it; None when offered by id
    requested_at: datetime  # the owner's confirmation
    expires_at: datetime
    accepted_at: datetime | None  # the recipient's confirmation (completes the transfer)
    cancelled_at: datetime | None
    cancelled_by: uuid.UUID | None
