"""Tracking routes, reached through the gateway (`/api/notify/t/...`): the open pixel and the rewritten links."""

import base64

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from abono.bounds import TokenPath
from abono.db import SessionDep
from abono.errors import NotFound
from notify.tracking.repository import TrackingRepository

router = APIRouter(prefix="/t", tags=["tracking"])
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_NO_STORE = {"Cache-Control": "no-store, no-cache, must-revalidate, private", "Pragma": "no-cache"}


@router.get("/o/{token}.gif", summary="Open pixel of an e-mail: counts an open, answers a 1x1 GIF",
            response_class=Response, responses={200: {"content": {"image/gif": {}}}})
async def open_pixel(token: TokenPath, session: SessionDep, request: Request) -> Response:
    """Public; embedded in the e-mails sent. Counts an open of the e-mail the token belongs to and always answers the
    same uncached 1x1 GIF, whether or not the token is known.
    """
    # The same image whatever the token: a pixel tells nobody whether a token exists.
    await TrackingRepository(session).record_open(token, at=request.app.state.clock.now())
    return Response(PIXEL, media_type="image/gif", headers=_NO_STORE)


@router.get("/c/{token}", summary="A rewritten link of an e-mail: counts the click, redirects to the real URL",
            response_class=RedirectResponse, status_code=302,
            responses={302: {"description": "To the link's URL"}, 404: {"description": "Unknown link"}})
async def click(token: TokenPath, session: SessionDep, request: Request) -> RedirectResponse:
    """Public; the links of the e-mails sent point here. Counts a click on the link the token stands for and redirects
    (302) to its real address. 404 for an unknown token.
    """
    url = await TrackingRepository(session).record_click(token, at=request.app.state.clock.now())
    if url is None:
        raise NotFound("Unknown link.")
    return RedirectResponse(url, status_code=302, headers=_NO_STORE)
