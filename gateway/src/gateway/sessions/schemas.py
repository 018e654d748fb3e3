from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from gateway.accounts.schemas import Email

RawToken = Annotated[str, StringConstraints(min_length=16, max_length=128)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"email": "ana@example.com", "password": "una-clave-larga-y-segura"}
    ]})

    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    # Staff with two-factor authentication: the authenticator's 6-digit code, or a recovery code.
    totp_code: Annotated[str, StringConstraints(min_length=6, max_length=32, pattern=r"^[0-9A-Za-z-]+$")] | None = None


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"refresh_token": "rt_9Xk2LmQ8vN3pR7sT1wY5zB0cD4fG6hJ"}
    ]})

    refresh_token: RawToken


class TokenPair(BaseModel):
    """An access JWT for `Authorization: Bearer`, and the single-use refresh token that gets the next pair."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int  # seconds the access token is valid
    refresh_expires_in: int  # seconds the refresh token is valid (if not used before)


class AccessToken(BaseModel):
    """A browser session's access JWT (kept in memory by the page); the refresh token travels only in its cookie."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int  # seconds the access token is valid
