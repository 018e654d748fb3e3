from pydantic import BaseModel

from abono.money import MoneyModel


class ReferralSummary(BaseModel):
    referral_code: str  # friends sign up with it (ClientRegistered.referral_code)
    referred: int  # friends who signed up with the code
    rewarded: int  # friends who paid: one free month each (B-12, F-4)
    credit_earned: list[MoneyModel]  # per currency, added to the credit balance (GET /credit)
