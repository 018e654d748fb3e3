import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from abono.bounds import ShortText

Slug = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Language = Literal["es", "en"]


class CategoryPut(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name_es": "Correo", "name_en": "E-mail", "position": 1}
    ]})

    name_es: ShortText = Field(min_length=1)
    name_en: ShortText = Field(min_length=1)
    position: int = Field(default=0, ge=0, le=10_000)


class CategoryPublic(BaseModel):
    slug: str
    name_es: str
    name_en: str
    position: int


class ArticleWrite(BaseModel):
    """Staff write an article in Markdown (raw HTML is shown as text; links are sanitised when rendered)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "slug": "configurar-correo-outlook",
            "language": "es",
            "category": "correo",
            "title": "Configurar el correo en Outlook",
            "body_md": "1. Abra Outlook y elija **Agregar cuenta**.\n2. Escriba su dirección y su clave.",
            "published": True,
        }
    ]})

    slug: Slug
    language: Language = "es"
    category: Slug
    title: ShortText = Field(min_length=1)
    body_md: str = Field(min_length=1, max_length=100_000)
    published: bool = True


class ArticleSummary(BaseModel):
    id: uuid.UUID
    slug: str
    language: str
    category: str
    title: str
    excerpt: str
    published: bool
    updated_at: datetime


class ArticlePublic(ArticleSummary):
    body_md: str
    html: str  # rendered from the Markdown and sanitised


class SearchHit(BaseModel):
    id: uuid.UUID
    slug: str
    language: str
    category: str
    title: str
    excerpt: str
    score: float


class UnansweredSearch(BaseModel):
    query: str
    language: str | None
    count: int
    last_searched_at: datetime
