import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]


class IdentitySubmit(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"legal_name": "Ana María López", "tax_id": "27-30123456-4", "document_type": "dni",
         "address": "Av. Santa Fe 1234, piso 3\nC1059ABT CABA\nArgentina"}
    ]})

    legal_name: Name  # as on the document; F-3 bank withdrawals must be in this name
    tax_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=32)]  # CUIT/CUIL/RUT…
    document_type: Literal["dni", "passport", "cedula", "other"]
    # Printed on invoices under the legal name and tax id once verified; lines separated by newlines.
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class IdentityPublic(BaseModel):
    client_id: uuid.UUID
    status: str  # draft | pending | verified | rejected (the panel's badge: verified)
    documents: list[str]  # the sides uploaded
    legal_name: str | None
    document_type: str | None
    tax_id_last4: str | None
    address: str | None = None  # the postal address sent, printed on invoices once verified
    submitted_at: datetime | None
    decided_at: datetime | None
    reason: str | None  # why it was rejected


class IdentityDecision(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "El documento está vencido; suba uno vigente."}
    ]})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
