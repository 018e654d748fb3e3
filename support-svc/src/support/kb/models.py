"""S-5 knowledge base: categories, articles in Spanish and English written in Markdown (searched through a stored
full-text vector and a trigram index on unaccented titles), and the searches that found nothing."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Computed, DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from abono.db import trigram_index
from support.db import Base

# Spanish stems (and English for English articles) plus the same words unaccented (`es_unaccent`), title first.
SEARCH_VECTOR = (
    "CASE WHEN language = 'en' THEN setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, body_md), 'B') ELSE "
    "setweight(to_tsvector('spanish'::regconfig, title), 'A') || "
    "setweight(to_tsvector('spanish'::regconfig, body_md), 'B') END || "
    "setweight(to_tsvector('es_unaccent'::regconfig, title), 'A') || "
    "setweight(to_tsvector('es_unaccent'::regconfig, body_md), 'B')"
)


class KbCategory(Base):
    __tablename__ = "kb_categories"

    slug: Mapped[str] = mapped_column(Text, primary_key=True)
    name_es: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


class KbArticle(Base):
    __tablename__ = "kb_articles"
    __table_args__ = (
        UniqueConstraint("language", "slug"),
        Index("ix_kb_articles_search", "search_vector", postgresql_using="gin"),
        trigram_index("ix_kb_articles_title_trgm", "lower(kb_unaccent(title))"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(Text)  # es | en
    category_slug: Mapped[str] = mapped_column(ForeignKey("kb_categories.slug"), index=True)
    title: Mapped[str] = mapped_column(Text)
    body_md: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean)
    search_vector: Mapped[str] = mapped_column(TSVECTOR, Computed(SEARCH_VECTOR, persisted=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[uuid.UUID | None]


class KbUnansweredSearch(Base):
    """A search that found nothing: staff read these as the list of articles to write."""

    __tablename__ = "kb_unanswered_searches"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    query: Mapped[str] = mapped_column(Text, index=True)
    language: Mapped[str | None] = mapped_column(Text)
    searched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
