from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints

from gateway.accounts.schemas import Email

# A 6-digit TOTP code, or a recovery code (`1a2b3c4d-5e6f7a8b`).
OtpCode = Annotated[str, StringConstraints(min_length=6, max_length=32, pattern=r"^[0-9A-Za-z-]+$")]


class TotpSetupRequest(BaseModel):
    """The account's password again (and its current code when replacing a confirmed secret)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"email": "soporte@example.com", "password": "una-clave-larga-y-segura"}
    ]})

    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    code: OtpCode | None = None


class TotpSetup(BaseModel):
    """The secret to type or scan into an authenticator app (shown once); log in with its code to confirm it."""

    secret: str
    otpauth_uri: str


class TotpCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "492817"}]})

    code: OtpCode


class TotpStatus(BaseModel):
    enrolled: bool  # a secret exists: login asks for a code
    confirmed: bool  # a login with a code has succeeded
    required: bool  # admins require it for this (staff) account
    recovery_codes_left: int


class RecoveryCodes(BaseModel):
    codes: list[str]  # shown once; each works once


class SecurityPolicyPublic(BaseModel):
    require_staff_totp: bool
    updated_at: datetime | None = None
    updated_by: UUID | None = None


class SecurityPolicyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"require_staff_totp": True}]})

    require_staff_totp: bool
