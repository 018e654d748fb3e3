import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TemplateSources(BaseModel):
    """A kind's templates in one language: the text part (blocks `subject`, `text`, `whatsapp`, `params`) and the
    e-mail's HTML part (jinja2, sandboxed)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "text_source": "Estimado/a {{ client_name }}: su factura {{ number }} vence el {{ due_on }}.",
            "html_source": "<p>Estimado/a {{ client_name }}: su factura <b>{{ number }}</b> vence el {{ due_on }}.</p>",
        }
    ]})

    text_source: str = Field(min_length=1, max_length=20_000)
    html_source: str = Field(min_length=1, max_length=50_000)


class TemplatePreviewRequest(BaseModel):
    """A draft to preview; a part left out is the template in use now."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text_source": "Estimado/a {{ client_name }}: su factura {{ number }} vence el {{ due_on }}."}
    ]})

    text_source: str | None = Field(default=None, min_length=1, max_length=20_000)
    html_source: str | None = Field(default=None, min_length=1, max_length=50_000)


class TemplateSummary(BaseModel):
    kind: str
    language: str
    source: Literal["console", "file"]
    updated_at: datetime | None = None


class TemplatePublic(TemplateSummary):
    text_source: str
    html_source: str
    updated_by: uuid.UUID | None = None


class TemplatePreview(BaseModel):
    """The template rendered with sample figures, as the client would get it."""

    subject: str
    text: str
    html: str
    whatsapp: str


class TemplateChange(BaseModel):
    at: datetime
    actor_id: uuid.UUID
    action: str
    details: dict[str, Any]
