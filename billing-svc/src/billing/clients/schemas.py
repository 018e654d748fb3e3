import uuid

from pydantic import BaseModel, ConfigDict


class BillingProfilePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str
    country: str | None
    currency: str
    language: str
    referral_code: str  # B-12/F-4: friends sign up with it (GET /referrals/me: what it earned)
