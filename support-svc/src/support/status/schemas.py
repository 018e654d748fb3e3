import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from abono.bounds import LongText, ShortText

ServerName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class ProbeKind(StrEnum):
    HTTP = "http"
    TCP = "tcp"


class ServerPut(BaseModel):
    """Staff: a server's label and its health probe (like Gatus: an HTTP URL answering 2xx/3xx, or a TCP port)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "label": "Servidor compartido 1",
            "probe_kind": "http",
            "probe_target": "https://whm1.example.com",
            "probe_interval_seconds": 60,
            "probe_timeout_seconds": 5,
            "failures_to_open": 3,
            "successes_to_resolve": 2,
        }
    ]})

    label: ShortText = Field(min_length=1)
    probe_kind: ProbeKind | None = None
    probe_target: str | None = Field(default=None, max_length=500)  # http(s)://... or host:port
    probe_interval_seconds: int | None = Field(default=None, ge=5, le=86_400)
    probe_timeout_seconds: float | None = Field(default=None, gt=0, le=60)
    failures_to_open: int | None = Field(default=None, ge=1, le=100)
    successes_to_resolve: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _probe_whole(self) -> "ServerPut":
        if (self.probe_kind is None) != (self.probe_target is None):
            raise ValueError("a probe names both probe_kind and probe_target; no probe neither")
        if self.probe_kind is ProbeKind.HTTP and not (self.probe_target or "").startswith(("http://", "https://")):
            raise ValueError("an HTTP probe's target is an http:// or https:// URL")
        if self.probe_kind is ProbeKind.TCP:
            host, _, port = (self.probe_target or "").rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError("a TCP probe's target is host:port")
        return self


class IncidentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "server": "whm1",
            "title": "Lentitud en el servidor whm1",
            "message": "Estamos investigando demoras al cargar los sitios.",
            "status": "investigating",
        }
    ]})

    server: ServerName
    title: ShortText = Field(min_length=1)
    message: LongText = Field(min_length=1)
    status: IncidentStatus = IncidentStatus.INVESTIGATING
    started_at: AwareDatetime | None = None  # default: now (staff may date it back to when it began)


class IncidentUpdateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"status": "monitoring", "message": "Aplicamos una corrección y seguimos observando."}
    ]})

    status: IncidentStatus
    message: LongText = Field(min_length=1)


class MaintenanceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "server": "whm1",
            "title": "Actualización del sistema operativo",
            "description": "Reinicio del servidor; los sitios estarán fuera de línea unos minutos.",
            "starts_at": "2026-12-20T06:00:00Z",
            "ends_at": "2026-12-20T07:00:00Z",
        }
    ]})

    server: ServerName
    title: ShortText = Field(min_length=1)
    description: LongText = ""
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> "MaintenanceCreate":
        if self.ends_at <= self.starts_at:
            raise ValueError("a maintenance ends after it starts")
        return self


class IncidentUpdatePublic(BaseModel):
    status: str
    message: str
    at: datetime


class IncidentPublic(BaseModel):
    id: uuid.UUID
    server: str
    server_label: str
    title: str
    status: str
    source: str
    started_at: datetime
    resolved_at: datetime | None
    updates: list[IncidentUpdatePublic]


class MaintenancePublic(BaseModel):
    id: uuid.UUID
    server: str
    server_label: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    announced_at: datetime
    in_progress: bool


class ServerPublic(BaseModel):
    name: str
    label: str
    state: str  # operational | outage | maintenance
    services: list[str]  # what runs there (product names)
    uptime_30d: Decimal
    uptime_90d: Decimal


class StatusPage(BaseModel):
    """The public status page (S-4): no login, no client named."""

    state: str  # operational | outage | maintenance (the worst of the servers)
    servers: list[ServerPublic]
    incidents: list[IncidentPublic]
    maintenance: list[MaintenancePublic]
    generated_at: datetime


class ServerStaff(BaseModel):
    name: str
    label: str
    probe_kind: str | None
    probe_target: str | None
    probe_interval_seconds: int
    probe_timeout_seconds: float
    failures_to_open: int
    successes_to_resolve: int
    consecutive_failures: int
    consecutive_successes: int
    last_checked_at: datetime | None
    last_error: str | None


class MyServiceStatus(BaseModel):
    """A client's service with the incidents and maintenance of its server (the service's page shows them)."""

    service_id: uuid.UUID
    product_name: str
    server: str
    server_label: str
    incidents: list[IncidentPublic]
    maintenance: list[MaintenancePublic]


class SlaCreditPublic(BaseModel):
    service_id: uuid.UUID
    client_id: uuid.UUID
    month: date
    server: str
    downtime_minutes: int
    uptime_percent: Decimal
    credit_percent: int
