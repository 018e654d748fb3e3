import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class ServicePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    state: str
    product_id: uuid.UUID
    product_code: str
    product_name: str
    kind: str
    cycle: str
    domain: str | None
    activated_at: datetime | None
    suspended_at: datetime | None
    ended_at: datetime | None
    created_at: datetime


class AccessPublic(BaseModel):
    """P-7: shown to the service's owner only."""

    panel_url: str | None = None
    username: str | None = None
    password: str | None = None
    manual_url: str | None = None
    downloads: list[dict[str, str]] = []


class ServiceDetail(ServicePublic):
    access: AccessPublic | None = None
