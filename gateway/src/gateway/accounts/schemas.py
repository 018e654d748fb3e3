import uuid
from datetime import datetime
from typing import Annotated, Literal

import email_validator
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

from abono.auth import Role
from abono.countries import COUNTRIES, CURRENCIES


def _country(code: str) -> str:
    if code not in COUNTRIES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return code


def _currency(code: str) -> str:
    if code not in CURRENCIES:
        raise ValueError(f"not a currency we invoice in ({', '.join(sorted(CURRENCIES))})")
    return code


_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


def accept_test_domains(enabled: bool) -> None:
    """Accept addresses at `.test` (RFC 6761, reserved for testing), refused by default as undeliverable.

    email-validator reads this switch at every call and pydantic's EmailStr offers no per-field option, so it is
    process-wide: the app turns it on outside production, where test and development accounts use `.test`.
    """
    email_validator.TEST_ENVIRONMENT = enabled


def normalize_email(email: str) -> str:
    """The e-mail as sign-up stores it (validated, domain lower-cased); raises ValueError if it is not one."""
    return _EMAIL.validate_python(email)


CountryCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=2), AfterValidator(_country)
]
CurrencyCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=3, max_length=3), AfterValidator(_currency)
]
Language = Literal["es", "en"]
# Long enough to resist guessing; the upper bound keeps hashing cost bounded.
NewPassword = Annotated[str, StringConstraints(min_length=10, max_length=256)]
AnyPassword = Annotated[str, StringConstraints(min_length=1, max_length=256)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32, pattern=r"^\+?[0-9][0-9 ()\-.]{5,30}$")]
# RFC 5321's longest address; the bound is declared in the schema too.
Email = Annotated[EmailStr, Field(max_length=254)]


class UserCreate(BaseModel):
    """A client signing up. Without `currency`, the client is billed in its country's currency (or USD)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "email": "ana@example.com",
            "password": "una-clave-larga-y-segura",
            "name": "Ana López",
            "phone": "+54 9 11 5555-1234",
            "country": "AR",
            "language": "es",
        }
    ]})

    email: Email
    password: NewPassword
    name: PersonName
    phone: Phone | None = None
    country: CountryCode
    currency: CurrencyCode | None = None
    language: Language = "es"
    referral_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None


class SignupAccepted(BaseModel):
    """Sign-up's answer, the same whether or not the e-mail already had an account (issue 11): look in the mailbox."""

    email: str = Field(description="The address the next step was mailed to")
    next_step: Literal["check_email"] = "check_email"


class UserUpdate(BaseModel):
    """Profile changes; only the fields sent change. `phone: null` removes the phone."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"phone": "+54 9 11 5555-9876", "language": "en"}
    ]})

    name: PersonName | None = None
    phone: Phone | None = None
    country: CountryCode | None = None
    language: Language | None = None

    @model_validator(mode="after")
    def _no_null_required(self) -> "UserUpdate":
        for field in ("name", "country", "language"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be removed")
        return self


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: Role
    name: str
    phone: str | None
    country: str | None
    currency: str
    language: str
    email_verified_at: datetime | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = Field(None, description="When the account was closed (B-17); null if open")
    closed_reason: str | None = Field(None, description="Why it was closed, e.g. `chargeback`; null if open")


class EmailVerification(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"token": "q8Jd2kVx7mN4pL0sR3tW9yB6cF1hA5eZ"}
    ]})

    token: Annotated[str, StringConstraints(min_length=16, max_length=128)]


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"current_password": "una-clave-larga-y-segura", "new_password": "otra-clave-mas-larga-2026"}
    ]})

    current_password: AnyPassword
    new_password: NewPassword


class RoleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "staff"}]})

    role: Role = Field(description="client, staff or admin")
