from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints

from gateway.accounts.schemas import NewPassword


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(min_length=16, max_length=128)]
    new_password: NewPassword
