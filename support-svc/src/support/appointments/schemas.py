import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from abono.bounds import ShortText


class AppointmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"starts_at": "2026-12-10T14:00:00Z", "minutes": 60, "topic": "Configurar el correo en Outlook"}
    ]})

    starts_at: datetime
    minutes: StrictInt = Field(default=60, ge=15, le=240)
    topic: ShortText = Field(min_length=3)
    ticket_id: uuid.UUID | None = None


class AppointmentMove(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"starts_at": "2026-12-11T15:00:00Z"}]})

    starts_at: datetime
    minutes: StrictInt | None = Field(default=None, ge=15, le=240)


class AppointmentPublic(BaseModel):
    id: uuid.UUID
    client_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    topic: str
    ticket_id: uuid.UUID | None
    status: str
    change_until: datetime  # cancel or reschedule up to then (S-7 cut-off)


class Slot(BaseModel):
    starts_at: datetime
    ends_at: datetime
