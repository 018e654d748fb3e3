from fastapi import APIRouter

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from abono.errors import NotFound
from abono.money import MoneyModel
from billing.clients.repository import ClientRepository
from billing.promos.referral import summary
from billing.promos.schemas import ReferralSummary

router = APIRouter(prefix="/referrals", tags=["referrals"])


@router.get("/me", summary="My referral code, friends referred and the free months earned as credit",
            responses={401: {"description": "No or bad access token"}, 404: {"description": "Not known yet"}})
async def my_referrals(principal: CurrentPrincipal, session: SessionDep) -> ReferralSummary:
    """The caller's referral code, how many friends signed up with it, how many earned a reward, and the free months
    credited to the caller per currency. 404 until billing knows the account."""
    client = await ClientRepository(session).get(principal.user_id)
    if client is None:
        raise NotFound("Billing has no profile for you yet.")
    referred, rewarded, earned = await summary(session, client)
    return ReferralSummary(referral_code=client.referral_code, referred=referred, rewarded=rewarded,
                           credit_earned=[MoneyModel.of(m) for m in earned])
