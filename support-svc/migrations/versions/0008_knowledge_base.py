"""Knowledge base (S-5): categories, Markdown articles in Spanish and English with a stored full-text vector (Spanish
or English stems plus `es_unaccent`, so "facturacion" finds "Facturación") and a trigram index on unaccented titles
(typos), and the searches that found nothing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As `support.kb.models.SEARCH_VECTOR` was when this revision was written.
SEARCH_VECTOR = (
    "CASE WHEN language = 'en' THEN setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, body_md), 'B') ELSE "
    "setweight(to_tsvector('spanish'::regconfig, title), 'A') || "
    "setweight(to_tsvector('spanish'::regconfig, body_md), 'B') END || "
    "setweight(to_tsvector('es_unaccent'::regconfig, title), 'A') || "
    "setweight(to_tsvector('es_unaccent'::regconfig, body_md), 'B')"
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE TEXT SEARCH CONFIGURATION es_unaccent (COPY = spanish)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION es_unaccent ALTER MAPPING FOR hword, hword_part, word "
        "WITH unaccent, spanish_stem"
    )
    # `unaccent(text)` is only STABLE (it looks its dictionary up by name): an index needs an IMMUTABLE wrapper.
    op.execute(
        "CREATE FUNCTION kb_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$"
    )
    op.create_table(
        "kb_categories",
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name_es", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_kb_categories")),
    )
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("category_slug", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body_md", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), sa.Computed(SEARCH_VECTOR, persisted=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_slug"], ["kb_categories.slug"], name=op.f("fk_kb_articles_category_slug_kb_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_articles")),
        sa.UniqueConstraint("language", "slug", name=op.f("uq_kb_articles_language_slug")),
    )
    op.create_index(op.f("ix_kb_articles_category_slug"), "kb_articles", ["category_slug"], unique=False)
    op.create_index("ix_kb_articles_search", "kb_articles", ["search_vector"], unique=False, postgresql_using="gin")
    op.execute(
        "CREATE INDEX ix_kb_articles_title_trgm ON kb_articles USING gin (lower(kb_unaccent(title)) gin_trgm_ops)"
    )
    op.create_table(
        "kb_unanswered_searches",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("searched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_unanswered_searches")),
    )
    op.create_index(op.f("ix_kb_unanswered_searches_query"), "kb_unanswered_searches", ["query"], unique=False)


def downgrade() -> None:
    op.drop_table("kb_unanswered_searches")
    op.drop_table("kb_articles")
    op.drop_table("kb_categories")
    op.execute("DROP FUNCTION kb_unaccent(text)")
    op.execute("DROP TEXT SEARCH CONFIGURATION es_unaccent")
