"""S-5 queries: articles, categories, the ranked search and the searches that found nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from support.kb.models import KbArticle, KbCategory, KbUnansweredSearch

# Full text in the article's language and unaccented (`es_unaccent`); typos through the trigram similarity of the
# unaccented query to the unaccented title (`<%`: pg_trgm.word_similarity_threshold, set per transaction, so the
# trigram index serves it). Ranked by both.
_SEARCH = text("""
WITH q AS (
    SELECT websearch_to_tsquery('spanish', :q) || websearch_to_tsquery('english', :q)
           || websearch_to_tsquery('es_unaccent', :q) AS tsq,
           lower(kb_unaccent(:q)) AS plain
)
SELECT a.id, ts_rank_cd(a.search_vector, q.tsq) + word_similarity(q.plain, lower(kb_unaccent(a.title))) AS score
FROM kb_articles a, q
WHERE a.published AND (CAST(:language AS text) IS NULL OR a.language = :language)
  AND (a.search_vector @@ q.tsq OR q.plain <% lower(kb_unaccent(a.title)))
ORDER BY score DESC, a.title
LIMIT :limit
""")


@dataclass(frozen=True)
class Hit:
    article: KbArticle
    score: float


class KbRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def put_category(self, slug: str, values: dict[str, object]) -> None:
        stmt = insert(KbCategory).values(slug=slug, **values)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=[KbCategory.slug], set_=values))

    async def category(self, slug: str) -> KbCategory | None:
        return await self.session.get(KbCategory, slug)

    async def categories(self) -> Sequence[KbCategory]:
        return (await self.session.scalars(select(KbCategory).order_by(KbCategory.position, KbCategory.slug))).all()

    async def add(self, article: KbArticle) -> None:
        self.session.add(article)
        await self.session.flush()

    async def get(self, article_id: uuid.UUID, *, for_update: bool = False) -> KbArticle | None:
        query = select(KbArticle).where(KbArticle.id == article_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, KbArticle]:
        if not ids:
            return {}
        return {a.id: a for a in (await self.session.scalars(select(KbArticle).where(KbArticle.id.in_(list(ids)))))}

    async def by_slug(self, language: str, slug: str) -> KbArticle | None:
        return (
            await self.session.scalars(select(KbArticle).where(KbArticle.language == language, KbArticle.slug == slug))
        ).one_or_none()

    async def articles(
        self, *, category: str | None, language: str | None, include_drafts: bool, limit: int, offset: int
    ) -> Sequence[KbArticle]:
        query = select(KbArticle)
        if category is not None:
            query = query.where(KbArticle.category_slug == category)
        if language is not None:
            query = query.where(KbArticle.language == language)
        if not include_drafts:
            query = query.where(KbArticle.published.is_(True))
        return (await self.session.scalars(query.order_by(KbArticle.title).limit(limit).offset(offset))).all()

    async def search(self, query: str, *, language: str | None, limit: int, similarity: float) -> list[Hit]:
        await self.session.execute(select(func.set_config("pg_trgm.word_similarity_threshold", str(similarity), True)))
        rows = (await self.session.execute(_SEARCH, {"q": query, "language": language, "limit": limit})).all()
        if not rows:
            return []
        articles = {
            a.id: a
            for a in (await self.session.scalars(select(KbArticle).where(KbArticle.id.in_([r.id for r in rows])))).all()
        }
        return [Hit(articles[r.id], float(r.score)) for r in rows]

    async def record_unanswered(self, query: str, language: str | None, at: datetime) -> None:
        self.session.add(KbUnansweredSearch(query=query, language=language, searched_at=at))
        await self.session.flush()

    async def unanswered(self, *, limit: int) -> list[tuple[str, str | None, int, datetime]]:
        rows = await self.session.execute(
            select(
                KbUnansweredSearch.query,
                KbUnansweredSearch.language,
                func.count(),
                func.max(KbUnansweredSearch.searched_at),
            )
            .group_by(KbUnansweredSearch.query, KbUnansweredSearch.language)
            .order_by(func.count().desc(), func.max(KbUnansweredSearch.searched_at).desc())
            .limit(limit)
        )
        return [(q, lang, int(n), last) for q, lang, n, last in rows]
