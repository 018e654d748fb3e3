"""S-8 help bot over HTTP: a client's conversations with it, and the hand-off to a ticket."""

import uuid

from fastapi import APIRouter

from abono.auth import CurrentPrincipal
from abono.db import ReadSessionDep, SessionDep
from abono.errors import Forbidden, NotFound, problem_responses
from support.bot import service
from support.bot.repository import BotRepository
from support.bot.schemas import BotAsk, BotConversationPublic, BotHandoff
from support.runtime import RuntimeDep

router = APIRouter(tags=["help bot"])


def _client(principal: CurrentPrincipal) -> uuid.UUID:
    if principal.is_staff:
        raise Forbidden("The help bot talks to clients.")
    return principal.user_id


@router.post(
    "/bot/conversations",
    status_code=201,
    summary="Ask the help bot (answers from the knowledge base)",
    responses=problem_responses(401, 403, 422),
)
async def start(
    body: BotAsk, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> BotConversationPublic:
    """Clients only (403 for staff). Starts a conversation with a question; the bot answers with the published help
    articles that match it, in `language` when given. Returns the conversation.
    """
    conversation = await service.ask(
        session, runtime, client_id=_client(principal), message=body.message, language=body.language
    )
    return await service.view(session, conversation)


@router.get(
    "/bot/conversations/{conversation_id}",
    summary="A conversation with the help bot",
    responses=problem_responses(401, 404),
)
async def get(
    conversation_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSessionDep
) -> BotConversationPublic:
    """One of the caller's conversations with the help bot: the questions, the answers and the articles suggested, and
    the ticket it was handed off to, if any. 404 for another client's conversation.
    """
    conversation = await BotRepository(session).get(conversation_id)
    if conversation is None or conversation.client_id != principal.user_id:
        raise NotFound("No such conversation.")
    return await service.view(session, conversation)


@router.post(
    "/bot/conversations/{conversation_id}/messages",
    summary="Ask the help bot again in the conversation",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def again(
    conversation_id: uuid.UUID, body: BotAsk, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> BotConversationPublic:
    """Clients only. Asks a follow-up question in the conversation and returns it with the new answer. 409 when the
    conversation was handed off to a ticket (named in `ticket_id`): write there.
    """
    conversation = await service.ask(
        session,
        runtime,
        client_id=_client(principal),
        message=body.message,
        language=body.language,
        conversation_id=conversation_id,
    )
    return await service.view(session, conversation)


@router.post(
    "/bot/conversations/{conversation_id}/solved",
    summary="The articles solved it",
    responses=problem_responses(401, 403, 404),
)
async def solved(
    conversation_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> BotConversationPublic:
    """Clients only. Records that the suggested articles solved the question and returns the conversation; no ticket is
    opened.
    """
    conversation = await service.solved(session, runtime, conversation_id=conversation_id, client_id=_client(principal))
    return await service.view(session, conversation)


@router.post(
    "/bot/conversations/{conversation_id}/handoff",
    summary="Not solved: open a ticket carrying the conversation and the articles tried (once)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def handoff(
    conversation_id: uuid.UUID, body: BotHandoff, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> BotConversationPublic:
    """Clients only. Opens a ticket carrying the conversation and the articles tried (`subject` optional) and links it
    to the conversation. Once only: calling again returns the conversation with the same ticket. 409 when nothing was
    asked yet.
    """
    conversation, _ = await service.hand_off(
        session, runtime, conversation_id=conversation_id, client_id=_client(principal), body=body
    )
    return await service.view(session, conversation)
