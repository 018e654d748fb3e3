import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Mode = Literal["staff", "self"]
# requested: staff have not started; in_progress: staff noted progress; done: staff finished; self: the client's own
State = Literal["requested", "in_progress", "done", "self"]


class OldServerAccess(BaseModel):
    """How to reach the old server: shown to staff only on request, stored encrypted."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"host": "cpanel.viejo-hosting.com", "username": "miweb", "password": "clave-del-servidor-viejo",
         "notes": "Panel cPanel, puerto 2083."}
    ]})

    host: str = Field(min_length=1, max_length=255, description="The old server's panel address or host name")
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200)
    notes: str | None = Field(default=None, max_length=2000, description="Anything else staff need (port, panel)")


class MigrationCreate(BaseModel):
    """`staff`: we migrate everything (the old server's access is required); `self`: the client moves it alone."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"mode": "staff", "access": {"host": "cpanel.viejo-hosting.com", "username": "miweb",
                                     "password": "clave-del-servidor-viejo", "notes": "Panel cPanel, puerto 2083."}},
        {"mode": "self"},
    ]})

    mode: Mode
    access: OldServerAccess | None = None

    @model_validator(mode="after")
    def _access_for_staff(self) -> "MigrationCreate":
        if self.mode == "staff" and self.access is None:
            raise ValueError("To migrate it for you we need the old server's address, user and password.")
        if self.mode == "self" and self.access is not None:
            raise ValueError("If you migrate the site yourself we do not need the old server's access.")
        return self


class MigrationPublic(BaseModel):
    """A migration request as its client sees it: never the old server's password."""

    id: uuid.UUID
    service_id: uuid.UUID
    mode: Mode
    state: State
    due_on: date | None
    progress_note: str | None
    progress_at: datetime | None
    done_at: datetime | None
    created_at: datetime


class StaffMigration(MigrationPublic):
    """A migration request in the staff queue: whose, for which service, its task and deadline (no secrets)."""

    client_id: uuid.UUID
    domain: str | None
    product_name: str
    task_id: uuid.UUID | None
    overdue: bool
    done_note: str | None


class MigrationProgress(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"note": "Copiamos los archivos y las bases de datos; mañana pasamos los correos."}
    ]})

    note: str = Field(min_length=1, max_length=2000)


class MigrationDone(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "Sitio, bases de datos y casillas migrados."}]})

    note: str | None = Field(default=None, max_length=2000)
