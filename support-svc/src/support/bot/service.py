"""S-8 help bot, without any outside AI: each question is searched in the knowledge base (S-5); the bot shows the
best articles and asks whether that solved it. When it did not (or nothing was found), the client asks for a person:
the conversation becomes a ticket (S-1) whose first message carries the transcript and the articles tried, once."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, NotFound
from support.bot.models import BotConversation, BotTurn
from support.bot.repository import BotRepository
from support.bot.schemas import ArticleRef, BotConversationPublic, BotHandoff, BotTurnPublic
from support.kb import service as kb
from support.kb.render import excerpt
from support.kb.repository import KbRepository
from support.runtime import Runtime
from support.tickets import service as tickets
from support.tickets.models import Ticket

ARTICLES_SHOWN = 3
ANSWER = {
    "es": (
        "Encontré estos artículos que pueden ayudarle. ¿Esto resolvió su consulta?",
        "No encontré artículos sobre eso. Puede reformular la pregunta o pedir la atención de una persona: abro un "
        "ticket con esta conversación.",
    ),
    "en": (
        "I found these articles that may help. Did this solve your question?",
        "I found no article about that. You can rephrase the question or ask for a person: I will open a ticket "
        "with this conversation.",
    ),
}


async def _owned(session: AsyncSession, conversation_id: uuid.UUID, client_id: uuid.UUID) -> BotConversation:
    conversation = await BotRepository(session).get(conversation_id, for_update=True)
    if conversation is None or conversation.client_id != client_id:
        raise NotFound("No such conversation.")
    return conversation


async def ask(
    session: AsyncSession,
    runtime: Runtime,
    *,
    client_id: uuid.UUID,
    message: str,
    language: str,
    conversation_id: uuid.UUID | None = None,
) -> BotConversation:
    """The client's question and the bot's answer from the knowledge base (a new conversation without an id)."""
    repo = BotRepository(session)
    now = runtime.clock.now()
    if conversation_id is None:
        conversation = BotConversation(
            id=uuid.uuid4(), client_id=client_id, language=language, status="open", created_at=now, updated_at=now
        )
        await repo.add(conversation)
        position = 0
    else:
        conversation = await _owned(session, conversation_id, client_id)
        if conversation.status == "handed_off":
            raise Conflict("This conversation is a ticket now: write there.", ticket_id=str(conversation.ticket_id))
        conversation.status, conversation.updated_at = "open", now
        position = len(await repo.turns(conversation.id))
    hits = await kb.search(session, runtime, query=message, language=conversation.language, limit=ARTICLES_SHOWN)
    found, missing = ANSWER.get(conversation.language, ANSWER["es"])
    await repo.add(
        BotTurn(
            id=uuid.uuid4(),
            conversation_id=conversation.id,
            position=position,
            author="client",
            text=message,
            article_ids=[],
            at=now,
        ),
        BotTurn(
            id=uuid.uuid4(),
            conversation_id=conversation.id,
            position=position + 1,
            author="bot",
            text=found if hits else missing,
            article_ids=[h.id for h in hits],
            at=now,
        ),
    )
    return conversation


async def solved(
    session: AsyncSession, runtime: Runtime, *, conversation_id: uuid.UUID, client_id: uuid.UUID
) -> BotConversation:
    conversation = await _owned(session, conversation_id, client_id)
    if conversation.status == "open":
        conversation.status, conversation.updated_at = "solved", runtime.clock.now()
    return conversation


async def hand_off(
    session: AsyncSession, runtime: Runtime, *, conversation_id: uuid.UUID, client_id: uuid.UUID, body: BotHandoff
) -> tuple[BotConversation, Ticket | None]:
    """Open the ticket (once: a second hand-off answers the same conversation and its ticket)."""
    conversation = await _owned(session, conversation_id, client_id)
    if conversation.ticket_id is not None:
        return conversation, None
    turns = await BotRepository(session).turns(conversation.id)
    if not turns:
        raise Conflict("Ask the bot something first.")
    articles = await KbRepository(session).by_ids(sorted({a for t in turns for a in t.article_ids}))
    es = conversation.language == "es"
    lines = ["Conversación con el asistente:" if es else "Conversation with the help bot:", ""]
    for turn in turns:
        who = ("Cliente" if es else "Client") if turn.author == "client" else ("Asistente" if es else "Bot")
        lines.append(f"{who}: {turn.text}")
        lines += [f"  - {articles[a].title}" for a in turn.article_ids if a in articles]
    tried = [articles[a].title for a in dict.fromkeys(a for t in turns for a in t.article_ids) if a in articles]
    lines += ["", ("Artículos probados: " if es else "Articles tried: ") + (", ".join(tried) or "-")]
    first = next(t.text for t in turns if t.author == "client")
    subject = body.subject or (first if len(first) <= 200 else first[:197] + "...")
    if len(subject) < 3:
        subject = "Consulta desde el asistente" if es else "Question from the help bot"
    ticket = await tickets.open_ticket(
        session=session,
        runtime=runtime,
        client_id=client_id,
        subject=subject,
        sla_class=body.sla_class,
        service_id=None,
        message=tickets.NewMessage(body="\n".join(lines)[:20_000], channel="bot"),
    )
    conversation.ticket_id, conversation.status, conversation.updated_at = ticket.id, "handed_off", ticket.opened_at
    return conversation, ticket


async def view(session: AsyncSession, conversation: BotConversation) -> BotConversationPublic:
    turns = await BotRepository(session).turns(conversation.id)
    articles = await KbRepository(session).by_ids(sorted({a for t in turns for a in t.article_ids}))
    return BotConversationPublic(
        id=conversation.id,
        status=conversation.status,
        language=conversation.language,
        ticket_id=conversation.ticket_id,
        turns=[
            BotTurnPublic(
                author=t.author,
                text=t.text,
                at=t.at,
                articles=[
                    ArticleRef(id=a, title=articles[a].title, excerpt=excerpt(articles[a].body_md))
                    for a in t.article_ids
                    if a in articles
                ],
            )
            for t in turns
        ],
    )
