import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from provisioning.instances.schemas import ServicePublic
from provisioning.tasks.schemas import StaffTaskPublic


class StaffService(ServicePublic):
    """A service as staff see it: whose, which driver and server, its panel username (never its password)."""

    client_id: uuid.UUID
    driver: str
    server: str | None
    activation: str
    username: str | None


class ServiceFacet(BaseModel):
    state: str
    driver: str
    server: str | None
    count: int


class ServiceAuditPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    service_id: uuid.UUID
    action: str
    from_state: str | None
    to_state: str
    decided_by: str
    rule: str | None
    actor_id: uuid.UUID | None
    note: str | None
    at: datetime


class ClientProvisioning(BaseModel):
    """The client 360's provisioning side (issue 14 item 2)."""

    client_id: uuid.UUID
    services: list[StaffService]
    tasks: list[StaffTaskPublic]
    audit: list[ServiceAuditPublic]


class ProvisioningWork(BaseModel):
    """What waits for a person today, from provisioning's side (the console's home)."""

    failed_actions: int
    overdue_tasks: int
    open_tasks: int
