"""The client's direct-debit mandate as the API shows it, and what the client sends to sign one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from billing.direct_debit.models import DirectDebitMandate

_CBU_WEIGHTS = (3, 1, 7, 9)  # from the rightmost digit of a block's body


def _check_digit(digits: str) -> int:
    # Argentina's CBU (BCRA): weights 3,1,7,9 repeated from the right of each block's body.
    total = sum(int(d) * _CBU_WEIGHTS[i % 4] for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def cbu_is_valid(cbu: str) -> bool:
    """Both blocks' check digits: bank+branch (8 digits) and account (14 digits)."""
    if len(cbu) != 22 or not cbu.isdigit():
        return False
    return _check_digit(cbu[:7]) == int(cbu[7]) and _check_digit(cbu[8:21]) == int(cbu[21])


def luhn_is_valid(number: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(number)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


class MandateCreate(BaseModel):
    """A mandate by CBU (account number, holder's CUIT/CUIL) or by card (number: sent to the provider, never kept)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "cbu",
                    "holder_name": "Ana María López",
                    "cbu": "0110012345678901234567",
                    "holder_tax_id": "27301234564",
                }
            ]
        },
    )

    kind: Literal["cbu", "card"]
    holder_name: str = Field(min_length=2, max_length=120, pattern=r"\S")
    cbu: str | None = Field(default=None, min_length=22, max_length=22, pattern=r"^\d{22}$")
    holder_tax_id: str | None = Field(default=None, min_length=11, max_length=11, pattern=r"^\d{11}$")  # CUIT / CUIL
    card_number: str | None = Field(default=None, min_length=13, max_length=19, pattern=r"^\d{13,19}$")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.kind == "cbu":
            if not self.cbu or not self.holder_tax_id:
                raise ValueError("A CBU mandate needs cbu and holder_tax_id.")
            if not cbu_is_valid(self.cbu):
                raise ValueError("The CBU's check digits do not match.")
            if self.card_number:
                raise ValueError("card_number is for card mandates.")
        else:
            if not self.card_number:
                raise ValueError("A card mandate needs card_number.")
            if not luhn_is_valid(self.card_number):
                raise ValueError("The card number is not valid.")
            if self.cbu:
                raise ValueError("cbu is for CBU mandates.")
        return self


class MandatePublic(BaseModel):
    id: uuid.UUID
    kind: str
    state: str  # "pending" (the bank or issuer has not accepted it yet), "active", "cancelled"
    label: str
    holder_name: str
    state_detail: str
    created_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def of(cls, m: DirectDebitMandate) -> MandatePublic:
        return cls(
            id=m.id,
            kind=m.kind,
            state=m.state,
            label=m.label,
            holder_name=m.holder_name,
            state_detail=m.state_detail,
            created_at=m.created_at,
            cancelled_at=m.cancelled_at,
        )


class DirectDebitStatus(BaseModel):
    """Whether I may sign a mandate (B-20: the account's currency) and the mandate I have."""

    available: bool
    unavailable_reason: str | None = None
    provider: str | None = None
    mandate: MandatePublic | None = None
