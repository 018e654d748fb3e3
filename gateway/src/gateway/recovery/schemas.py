from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from gateway.accounts.schemas import Email, NewPassword


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(min_length=16, max_length=128)]
    new_password: NewPassword
