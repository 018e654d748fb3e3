"""S-5 knowledge base over HTTP: reading and searching need no login; staff write categories and articles and read
the searches that found nothing."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from abono.auth import StaffPrincipal
from abono.bounds import OffsetQuery, PageSizeQuery
from abono.db import ReadSessionDep, SessionDep
from abono.errors import NotFound, problem_responses
from support.kb import service
from support.kb.repository import KbRepository
from support.kb.schemas import (
    ArticlePublic,
    ArticleSummary,
    ArticleWrite,
    CategoryPublic,
    CategoryPut,
    Language,
    SearchHit,
    Slug,
    UnansweredSearch,
)
from support.runtime import RuntimeDep

router = APIRouter(tags=["knowledge base"])
SearchQuery = Annotated[str, Query(min_length=1, max_length=200)]
SlugQuery = Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]


@router.get("/kb/categories", summary="Knowledge base categories (no login)")
async def categories(session: ReadSessionDep) -> list[CategoryPublic]:
    """Public: no access token needed. The help categories in display order, each with its Spanish and English name; use
    the slug to list its articles.
    """
    return [
        CategoryPublic(slug=c.slug, name_es=c.name_es, name_en=c.name_en, position=c.position)
        for c in await KbRepository(session).categories()
    ]


@router.put(
    "/kb/categories/{slug}", summary="Staff: create or rename a category", responses=problem_responses(401, 403, 422)
)
async def put_category(slug: Slug, body: CategoryPut, _: StaffPrincipal, session: SessionDep) -> CategoryPublic:
    """Staff only. Creates the category with this slug, or renames or reorders it when it exists; repeating the call
    changes nothing. Returns the category.
    """
    await KbRepository(session).put_category(slug, body.model_dump())
    return CategoryPublic(slug=slug, **body.model_dump())


@router.get(
    "/kb/search", summary="Search published help articles (no login), best first"
)
async def search(
    q: SearchQuery, session: SessionDep, runtime: RuntimeDep, language: Language | None = None
) -> list[SearchHit]:
    """Public: no access token needed. Full-text search over the published articles, optionally in one `language`; each
    hit has the article's title, an excerpt and a score, best first. Searches that find nothing are counted, so staff
    see which articles are missing.
    """
    return await service.search(session, runtime, query=q, language=language)


@router.get("/kb/articles", summary="Published articles by category and language (no login)")
async def list_articles(
    session: ReadSessionDep,
    category: SlugQuery | None = None,
    language: Language | None = None,
    limit: PageSizeQuery = 100,
    offset: OffsetQuery = 0,
) -> list[ArticleSummary]:
    """Public: no access token needed. Summaries (without the text) of the published articles, optionally of one
    `category` and `language`, paged with `limit` and `offset`.
    """
    articles = await KbRepository(session).articles(
        category=category, language=language, include_drafts=False, limit=limit, offset=offset
    )
    return [service.summary(a) for a in articles]


@router.get("/kb/drafts", summary="Staff: every article, drafts included", responses=problem_responses(401, 403))
async def list_all(
    _: StaffPrincipal, session: ReadSessionDep, limit: PageSizeQuery = 100, offset: OffsetQuery = 0
) -> list[ArticleSummary]:
    """Staff only. Summaries of every article, drafts and published ones, paged with `limit` and `offset`."""
    articles = await KbRepository(session).articles(
        category=None, language=None, include_drafts=True, limit=limit, offset=offset
    )
    return [service.summary(a) for a in articles]


@router.get(
    "/kb/drafts/{article_id}",
    summary="Staff: any article, drafts included, with its Markdown (to edit it)",
    responses=problem_responses(401, 403, 404),
)
async def get_any(article_id: uuid.UUID, _: StaffPrincipal, session: ReadSessionDep) -> ArticlePublic:
    """Staff only. Any article, draft or published, with its Markdown source and its rendered HTML, to edit it. 404 when
    there is no such article.
    """
    article = await KbRepository(session).get(article_id)
    if article is None:
        raise NotFound("No such article.")
    return service.full(article)


@router.get(
    "/kb/articles/{article_id}",
    summary="A published article, its Markdown rendered and sanitised",
    responses=problem_responses(404),
)
async def get_article(article_id: uuid.UUID, session: ReadSessionDep) -> ArticlePublic:
    """Public: no access token needed. A published article, its Markdown rendered to sanitised HTML. 404 for a draft or
    an unknown id.
    """
    article = await KbRepository(session).get(article_id)
    if article is None or not article.published:
        raise NotFound("No such article.")
    return service.full(article)


@router.post(
    "/kb/articles",
    status_code=201,
    summary="Staff: write an article (Markdown)",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_article(
    body: ArticleWrite, principal: StaffPrincipal, session: SessionDep, runtime: RuntimeDep
) -> ArticlePublic:
    """Staff only. Writes an article in Markdown, in Spanish or English, as a draft or published; returns it rendered.
    422 when the category does not exist; 409 when an article with that slug and language exists (the slug is unique
    per language).
    """
    return service.full(await service.write_article(session, runtime, body=body, staff_id=principal.user_id))


@router.put(
    "/kb/articles/{article_id}",
    summary="Staff: rewrite an article",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def update_article(
    article_id: uuid.UUID, body: ArticleWrite, principal: StaffPrincipal, session: SessionDep, runtime: RuntimeDep
) -> ArticlePublic:
    """Staff only. Replaces the article's category, slug, language, title, text and published state; returns it
    rendered. 404 when there is no such article; 409 when another article has that slug and language.
    """
    article = await service.write_article(
        session, runtime, body=body, staff_id=principal.user_id, article_id=article_id
    )
    return service.full(article)


@router.get(
    "/kb/unanswered-searches",
    summary="Staff: searches that found nothing, most asked first (articles to write)",
    responses=problem_responses(401, 403),
)
async def unanswered(_: StaffPrincipal, session: ReadSessionDep, limit: PageSizeQuery = 100) -> list[UnansweredSearch]:
    """Staff only. Searches that found no published article, by query and language, the most asked first, with how often
    and when last: the articles worth writing next.
    """
    return [
        UnansweredSearch(query=q, language=lang, count=n, last_searched_at=last)
        for q, lang, n, last in await KbRepository(session).unanswered(limit=limit)
    ]
