from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from gateway.accounts.schemas import Email, NewPassword


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"email": "ana@example.com"}]})

    email: Email


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"token": "q8Jd2kVx7mN4pL0sR3tW9yB6cF1hA5eZ", "new_password": "otra-clave-mas-larga-2026"}
    ]})

    token: Annotated[str, StringConstraints(min_length=16, max_length=128)]
    new_password: NewPassword
