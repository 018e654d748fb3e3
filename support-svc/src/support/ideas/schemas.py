import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from abono.bounds import ShortText


class IdeaCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title": "Backups diarios descargables", "body": "Poder descargar el backup diario desde el panel."}
    ]})

    title: ShortText = Field(min_length=3)
    body: str = Field(default="", max_length=5_000)


class IdeaStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "planned"}]})

    status: Literal["planned", "shipped"]


class IdeaPublic(BaseModel):
    id: uuid.UUID
    title: str
    body: str
    status: str  # open | approved | planned | shipped
    votes: int
    voted: bool  # the caller voted for it
    mine: bool  # the caller posted it
    created_at: datetime
    approved_at: datetime | None
    planned_at: datetime | None
    shipped_at: datetime | None
