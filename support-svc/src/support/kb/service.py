"""S-5: staff write articles (Markdown) by category in Spanish and English; anyone reads and searches the published
ones (ranked full text with unaccented words, typos forgiven on titles); a search that finds nothing is kept for
staff as an article to write."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, InvalidInput, NotFound
from support.kb.models import KbArticle
from support.kb.render import excerpt, render
from support.kb.repository import Hit, KbRepository
from support.kb.schemas import ArticlePublic, ArticleSummary, ArticleWrite, SearchHit
from support.runtime import Runtime


async def _check(repo: KbRepository, body: ArticleWrite, *, article_id: uuid.UUID | None) -> None:
    if await repo.category(body.category) is None:
        raise InvalidInput(f"No category {body.category!r}; create it first.")
    same = await repo.by_slug(body.language, body.slug)
    if same is not None and same.id != article_id:
        raise Conflict(f"An article {body.slug!r} in {body.language!r} already exists.")


async def write_article(
    session: AsyncSession,
    runtime: Runtime,
    *,
    body: ArticleWrite,
    staff_id: uuid.UUID,
    article_id: uuid.UUID | None = None,
) -> KbArticle:
    """Create (no id) or replace an article."""
    repo = KbRepository(session)
    await _check(repo, body, article_id=article_id)
    now = runtime.clock.now()
    fields = {
        "slug": body.slug,
        "language": body.language,
        "category_slug": body.category,
        "title": body.title,
        "body_md": body.body_md,
        "published": body.published,
        "updated_at": now,
        "updated_by": staff_id,
    }
    if article_id is None:
        article = KbArticle(id=uuid.uuid4(), created_at=now, **fields)
        await repo.add(article)
        return article
    article = await repo.get(article_id, for_update=True)  # type: ignore[assignment]
    if article is None:
        raise NotFound("No such article.")
    for key, value in fields.items():
        setattr(article, key, value)
    await session.flush()
    await session.refresh(article, ["search_vector"])
    return article


def summary(article: KbArticle) -> ArticleSummary:
    return ArticleSummary(
        id=article.id,
        slug=article.slug,
        language=article.language,
        category=article.category_slug,
        title=article.title,
        excerpt=excerpt(article.body_md),
        published=article.published,
        updated_at=article.updated_at,
    )


def full(article: KbArticle) -> ArticlePublic:
    return ArticlePublic(**summary(article).model_dump(), body_md=article.body_md, html=render(article.body_md))


def hit_view(hit: Hit) -> SearchHit:
    a = hit.article
    return SearchHit(
        id=a.id,
        slug=a.slug,
        language=a.language,
        category=a.category_slug,
        title=a.title,
        excerpt=excerpt(a.body_md),
        score=round(hit.score, 4),
    )


async def search(
    session: AsyncSession, runtime: Runtime, *, query: str, language: str | None, limit: int | None = None
) -> list[SearchHit]:
    """Ranked hits; none found: the query is kept (normalised) for staff's list of articles to write."""
    words = " ".join(query.split())
    if not words:
        return []
    settings = runtime.settings
    hits = await KbRepository(session).search(
        words, language=language, limit=limit or settings.kb_search_results, similarity=settings.kb_title_similarity
    )
    if not hits:
        await KbRepository(session).record_unanswered(words.lower(), language, runtime.clock.now())
    return [hit_view(h) for h in hits]
