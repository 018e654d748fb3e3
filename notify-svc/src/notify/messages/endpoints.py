import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.bounds import OffsetQuery
from abono.db import SessionDep
from abono.errors import Conflict, NotFound
from notify.messages.models import Message, Status
from notify.messages.queries import MessageQueries
from notify.messages.schemas import InboxMessage, InboxPage, LinkClicks, MessageDelivery, StatusReportPublic

Responses = dict[int | str, dict[str, Any]]
router = APIRouter(tags=["messages"])
_AUTH: Responses = {401: {"description": "No or bad access token (problem+json)"}}
_STAFF: Responses = {**_AUTH, 403: {"description": "Staff only (problem+json)"}}
_MINE: Responses = {**_AUTH, 404: {"description": "No such message in your inbox (problem+json)"}}
Limit = Annotated[int, Query(ge=1, le=200)]


@router.get("/inbox", summary="My panel inbox, newest first, with the number unread", responses=_AUTH)
async def my_inbox(principal: CurrentPrincipal, session: SessionDep, limit: Limit = 50,
                   offset: OffsetQuery = 0) -> InboxPage:
    """Any signed-in user. Returns the messages sent to your panel inbox, newest first, paginated with `limit` and
    `offset`, together with the number still unread.
    """
    queries = MessageQueries(session)
    items = await queries.inbox(principal.user_id, limit=limit, offset=offset)
    return InboxPage(items=[InboxMessage.model_validate(m) for m in items],
                     unread=await queries.unread(principal.user_id))


@router.get("/inbox/{message_id}", summary="One message of my inbox", responses=_MINE)
async def my_message(message_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> InboxMessage:
    """Any signed-in user. Returns one message of your own inbox; reading it does not mark it read. 404 when there is
    no such message in your inbox (another user's message is not found either).
    """
    return InboxMessage.model_validate(await _mine(session, principal.user_id, message_id))


@router.post("/inbox/{message_id}/read", summary="Mark a message of my inbox read", responses=_MINE)
async def mark_read(message_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                    request: Request) -> InboxMessage:
    """Any signed-in user. Marks one message of your inbox read and returns it; marking a read message again changes
    nothing. 404 when there is no such message in your inbox.
    """
    message = await _mine(session, principal.user_id, message_id)
    await MessageQueries(session).mark_read(message, at=request.app.state.clock.now())
    return InboxMessage.model_validate(message)


async def _mine(session: SessionDep, client_id: uuid.UUID, message_id: uuid.UUID) -> Message:
    # Another client's message is "not found", exactly like one that does not exist.
    message = await MessageQueries(session).inbox_message(client_id, message_id)
    if message is None:
        raise NotFound("No such message in your inbox.")
    return message


@router.get("/staff/clients/{client_id}/messages", responses=_STAFF,
            summary="Every message sent to a client and its delivery: the proof the client was told")
async def client_messages(client_id: uuid.UUID, _: StaffPrincipal, session: SessionDep, limit: Limit = 100,
                          channel: Literal["email", "whatsapp", "panel"] | None = None) -> list[MessageDelivery]:
    """Staff and admins. Returns every message sent to one client, optionally only one `channel` (email, whatsapp,
    panel), with its delivery status, provider reports, opens and link clicks: the record that the client was told.
    """
    messages = await MessageQueries(session).for_client(client_id, channel=channel, limit=limit)
    return await _deliveries(session, messages)


@router.get("/staff/messages", summary="Messages by delivery status (e.g. failed ones)", responses=_STAFF)
async def messages_by_status(_: StaffPrincipal, session: SessionDep, status: Status = Status.FAILED,
                             limit: Limit = 100) -> list[MessageDelivery]:
    """Staff and admins. Lists messages in one delivery `status` (failed by default), with their delivery details, so
    staff can find and retry what did not reach a client.
    """
    return await _deliveries(session, await MessageQueries(session).with_status(status, limit=limit))


@router.post("/staff/messages/{message_id}/retry", summary="Send a failed message again",
             responses={**_STAFF, 404: {"description": "No such message"}, 409: {"description": "Not failed"}})
async def retry_message(message_id: uuid.UUID, _: StaffPrincipal, session: SessionDep,
                        request: Request) -> MessageDelivery:
    """Staff and admins. Queues a failed message to be sent again through its channel and returns its delivery record.
    404 for an unknown message, 409 when the message is not in the failed status.
    """
    queries = MessageQueries(session)
    message = await queries.get(message_id)
    if message is None:
        raise NotFound("No such message.")
    if message.status != Status.FAILED:
        raise Conflict("Only a failed message can be sent again.")
    await queries.retry(message, at=request.app.state.clock.now())
    return (await _deliveries(session, [message]))[0]


async def _deliveries(session: SessionDep, messages: Sequence[Message]) -> list[MessageDelivery]:
    queries = MessageQueries(session)
    ids = [m.id for m in messages]
    links, reports = await queries.links_of(ids), await queries.reports_of(ids)
    return [
        MessageDelivery.model_validate(m).model_copy(update={
            "links": [LinkClicks.model_validate(link) for link in links.get(m.id, [])],
            "reports": [StatusReportPublic.model_validate(r) for r in reports.get(m.id, [])],
        })
        for m in messages
    ]
