import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class DriverActionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    service_id: uuid.UUID
    kind: str
    driver: str
    status: str
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime
    created_at: datetime
    # #19 item 3: what this installation lacks for the service to run (a WHM server, an HTTP endpoint, the
    # registrar), e.g. "no WHM server 'whm9' is configured (PROVISIONING_WHM_SERVERS)"; None when configured.
    not_configured: str | None = None
