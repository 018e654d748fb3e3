from typing import Any

from fastapi import APIRouter, Request

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from notify.preferences.repository import PreferenceRepository
from notify.preferences.schemas import PreferencesPublic, PreferencesUpdate

Responses = dict[int | str, dict[str, Any]]
router = APIRouter(prefix="/preferences", tags=["preferences"])
_AUTH: Responses = {401: {"description": "No or bad access token (problem+json)"}}


@router.get("/me", summary="My notification preferences", responses=_AUTH)
async def my_preferences(principal: CurrentPrincipal, session: SessionDep) -> PreferencesPublic:
    """Any signed-in user. Returns the language your messages are written in (none: the platform's default) and whether
    you opted out of WhatsApp messages and of marketing.
    """
    preference = await PreferenceRepository(session).get(principal.user_id)
    if preference is None:
        return PreferencesPublic(language=None, whatsapp_opt_out=False, marketing_opt_out=False)
    return PreferencesPublic.model_validate(preference)


@router.patch(
    "/me",
    summary="Choose the language of my messages, opt out of WhatsApp or marketing",
    description="Transactional e-mail (invoices, reminders, suspensions) cannot be turned off: no field does it.",
    responses={**_AUTH, 422: {"description": "Unknown field or bad value (problem+json)"}},
)
async def update_my_preferences(
    data: PreferencesUpdate, principal: CurrentPrincipal, session: SessionDep, request: Request
) -> PreferencesPublic:
    changes = data.model_dump(exclude_unset=True)
    # An explicit null means "no choice" for the language; for the switches it means "leave as is".
    changes = {k: v for k, v in changes.items() if v is not None or k == "language"}
    preference = await PreferenceRepository(session).save(principal.user_id, changes, at=request.app.state.clock.now())
    return PreferencesPublic.model_validate(preference)
