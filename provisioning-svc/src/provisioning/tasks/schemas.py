import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class StaffTaskPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    service_id: uuid.UUID
    client_id: uuid.UUID
    kind: str
    title: str
    product_kind: str
    opened_at: datetime
    due_on: date
    overdue: bool = False
    completed_at: datetime | None
    completed_by: uuid.UUID | None
    note: str | None


# One file the client may download: e.g. {"name": "App.apk", "url": "https://..."}.
Download = Annotated[
    dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=2000)]], Field(max_length=10)
]


class TaskCompletion(BaseModel):
    """What staff did; for a set-up task, the access data the client will see (P-7)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "note": "Cuenta creada en el panel del revendedor.",
            "panel_url": "https://whm2.example.com:2087",
            "username": "anareseller",
            "password": "Xk29-vPq7-Lm31",
        }
    ]})

    note: str | None = Field(default=None, max_length=4000)
    panel_url: str | None = Field(default=None, max_length=2000)
    username: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, max_length=200)
    manual_url: str | None = Field(default=None, max_length=2000)
    downloads: Annotated[list[Download], Field(max_length=50)] = []
