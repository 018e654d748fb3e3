"""Templates an admin rewrites: checked by rendering them with sample figures before they are stored (a syntax error,
an unknown variable or a sandbox refusal is a 422), audited with before and after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Principal
from abono.errors import InvalidInput, NotFound
from notify.config import LANGUAGES
from notify.content.notices import KINDS
from notify.content.rendering import Rendered, Renderer
from notify.template_overrides.repository import TemplateRepository
from notify.template_overrides.samples import sample_context
from notify.template_overrides.schemas import TemplatePublic


def check_kind(kind: str, language: str) -> None:
    if kind not in KINDS or language not in LANGUAGES:
        raise NotFound(
            f"No template {kind!r} in {language!r} (kinds: {', '.join(KINDS)}; languages: {', '.join(LANGUAGES)})."
        )


def preview(renderer: Renderer, kind: str, language: str, sources: tuple[str, str] | None) -> Rendered:
    """The template rendered with sample figures; 422 with the template engine's reason if it cannot be."""
    try:
        return renderer.render(kind, language, sample_context(), sources=sources)
    except Exception as exc:  # noqa: BLE001 - an admin's template may fail in any way: a syntax error, an unknown
        # variable, a sandbox refusal, a missing block (KeyError), a failing filter
        raise InvalidInput(f"The template cannot be rendered: {type(exc).__name__}: {exc}") from None


async def current(session: AsyncSession, renderer: Renderer, kind: str, language: str) -> TemplatePublic:
    check_kind(kind, language)
    row = await TemplateRepository(session).get(kind, language)
    if row is None:
        text, html = renderer.file_sources(kind, language)
        return TemplatePublic(kind=kind, language=language, source="file", text_source=text, html_source=html)
    return TemplatePublic(
        kind=kind,
        language=language,
        source="console",
        text_source=row.text_source,
        html_source=row.html_source,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


async def put(
    *,
    session: AsyncSession,
    renderer: Renderer,
    kind: str,
    language: str,
    text_source: str,
    html_source: str,
    actor: Principal,
    now: datetime,
) -> None:
    check_kind(kind, language)
    preview(renderer, kind, language, (text_source, html_source))
    before = await current(session, renderer, kind, language)
    repo = TemplateRepository(session)
    await repo.put(
        kind=kind, language=language, text_source=text_source, html_source=html_source, by=actor.user_id, at=now
    )
    await repo.audit(
        actor_id=actor.user_id,
        action="template_set",
        at=now,
        details={
            "kind": kind,
            "language": language,
            "actor_email": actor.email,
            "before": {"source": before.source, "text_source": before.text_source, "html_source": before.html_source},
            "after": {"source": "console", "text_source": text_source, "html_source": html_source},
        },
    )


async def reset(
    *, session: AsyncSession, renderer: Renderer, kind: str, language: str, actor: Principal, now: datetime
) -> None:
    check_kind(kind, language)
    before = await current(session, renderer, kind, language)
    repo = TemplateRepository(session)
    if not await repo.remove(kind, language):
        raise NotFound("This template is the packaged one already.")
    await repo.audit(
        actor_id=actor.user_id,
        action="template_reset",
        at=now,
        details={
            "kind": kind,
            "language": language,
            "actor_email": actor.email,
            "before": {"source": "console", "text_source": before.text_source, "html_source": before.html_source},
            "after": {"source": "file"},
        },
    )
