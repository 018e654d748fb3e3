from fastapi import APIRouter

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from abono.errors import NotFound
from billing.clients.repository import ClientRepository
from billing.clients.schemas import BillingProfilePublic

router = APIRouter(prefix="/clients", tags=["clients"])


@router.get("/me", summary="My billing profile (currency, country)",
            responses={401: {"description": "No or bad access token"}, 404: {"description": "Not known yet"}})
async def my_billing_profile(principal: CurrentPrincipal, session: SessionDep) -> BillingProfilePublic:
    """The caller's billing profile: the currency they are billed in and their country. 404 until billing knows the
    account (just after signing up)."""
    client = await ClientRepository(session).get(principal.user_id)
    if client is None:
        raise NotFound("Billing has no profile for you yet.")
    return BillingProfilePublic.model_validate(client)
