"""Staff console: notification templates per kind and language (#14 item 5). Staff read and preview; admins change."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from abono.auth import AdminPrincipal, StaffPrincipal
from abono.db import SessionDep
from abono.errors import problem_responses
from notify.config import LANGUAGES
from notify.content.notices import KINDS
from notify.content.rendering import Renderer
from notify.template_overrides import service
from notify.template_overrides.repository import TemplateRepository
from notify.template_overrides.schemas import (
    TemplateChange,
    TemplatePreview,
    TemplatePreviewRequest,
    TemplatePublic,
    TemplateSources,
    TemplateSummary,
)

router = APIRouter(prefix="/staff/templates", tags=["templates"])
Kind = Annotated[
    str,
    Path(min_length=1, max_length=40, pattern=r"^[a-z][a-z_]*$", description="Notification kind, e.g. invoice_issued"),
]
Language = Annotated[str, Path(min_length=2, max_length=2, pattern=r"^[a-z]{2}$", description="es | en")]


def _renderer(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer


@router.get(
    "", summary="Staff: every kind and language, and whether an admin rewrote it", responses=problem_responses(401, 403)
)
async def templates(_: StaffPrincipal, session: SessionDep) -> list[TemplateSummary]:
    """Staff and admins. Lists every message kind in every language, with whether the template in use is the packaged
    one (`file`) or an admin's rewrite (`console`) and when it was rewritten.
    """
    stored = {(t.kind, t.language): t for t in await TemplateRepository(session).all()}
    return [
        TemplateSummary(
            kind=k,
            language=lang,
            source="console" if (k, lang) in stored else "file",
            updated_at=stored[(k, lang)].updated_at if (k, lang) in stored else None,
        )
        for k in KINDS
        for lang in LANGUAGES
    ]


@router.get(
    "/history",
    summary="Staff: the latest template changes (who, when, before, after)",
    responses=problem_responses(401, 403, 422),
)
async def history(
    _: StaffPrincipal, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[TemplateChange]:
    """Staff and admins. Returns the latest template rewrites and resets, newest first: when, by whom, and the sources
    before and after. `limit` caps the list (at most 200).
    """
    return [
        TemplateChange(at=e.at, actor_id=e.actor_id, action=e.action, details=e.details)
        for e in await TemplateRepository(session).history(limit=limit)
    ]


@router.get(
    "/{kind}/{language}",
    summary="Staff: a kind's templates in a language, as used now",
    responses=problem_responses(401, 403, 404, 422),
)
async def template(
    kind: Kind, language: Language, _: StaffPrincipal, session: SessionDep, request: Request
) -> TemplatePublic:
    """Staff and admins. Returns the sources (text and HTML) of one kind's templates in one language as messages use
    them now, and whether they are packaged or rewritten. 404 for an unknown kind or language.
    """
    return await service.current(session, _renderer(request), kind, language)


@router.post(
    "/{kind}/{language}/preview",
    summary="Staff: a draft (or the template in use) rendered with sample figures",
    responses=problem_responses(401, 403, 404, 422),
)
async def preview(
    kind: Kind,
    language: Language,
    body: TemplatePreviewRequest,
    _: StaffPrincipal,
    session: SessionDep,
    request: Request,
) -> TemplatePreview:
    """Staff and admins. Renders a draft (or, for the fields left out, the template in use) with sample figures and
    returns the subject, text, HTML and WhatsApp versions; nothing is saved or sent. 422 when the draft does not
    render, 404 for an unknown kind or language.
    """
    renderer = _renderer(request)
    now = await service.current(session, renderer, kind, language)
    sources = (body.text_source or now.text_source, body.html_source or now.html_source)
    rendered = service.preview(renderer, kind, language, sources)
    return TemplatePreview(subject=rendered.subject, text=rendered.text, html=rendered.html, whatsapp=rendered.whatsapp)


@router.put(
    "/{kind}/{language}",
    summary="Admin: rewrite a kind's templates in a language (checked, audited; the next message uses them)",
    responses=problem_responses(401, 403, 404, 422),
)
async def put_template(
    kind: Kind, language: Language, body: TemplateSources, actor: AdminPrincipal, session: SessionDep, request: Request
) -> TemplatePublic:
    """Admins only. Replaces the text and HTML templates of one kind in one language and returns them; the sources are
    checked by rendering them first (422 when they fail), the change is audited, and the next message of that kind
    uses them. 404 for an unknown kind or language.
    """
    await service.put(
        session=session,
        renderer=_renderer(request),
        kind=kind,
        language=language,
        text_source=body.text_source,
        html_source=body.html_source,
        actor=actor,
        now=request.app.state.clock.now(),
    )
    return await service.current(session, _renderer(request), kind, language)


@router.delete(
    "/{kind}/{language}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Admin: back to the packaged template (audited)",
    responses=problem_responses(401, 403, 404, 422),
)
async def reset_template(
    kind: Kind, language: Language, actor: AdminPrincipal, session: SessionDep, request: Request
) -> Response:
    """Admins only. Removes an admin's rewrite so the kind's packaged template is used again (204); the change is
    audited. 404 for an unknown kind or language, or when nothing was rewritten.
    """
    await service.reset(
        session=session,
        renderer=_renderer(request),
        kind=kind,
        language=language,
        actor=actor,
        now=request.app.state.clock.now(),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
