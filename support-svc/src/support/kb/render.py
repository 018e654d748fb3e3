"""S-5: an article's Markdown as HTML safe to put in a page: markdown-it (CommonMark and tables, raw HTML off, so a
`<script>` written in an article is shown as text) and then nh3 (Ammonia) with an allow-list of tags, attributes and
URL schemes, so no `javascript:` link or event handler survives."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}}


def render(markdown: str) -> str:
    return nh3.clean(
        _MD.render(markdown),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def excerpt(markdown: str, limit: int = 200) -> str:
    """The first words of an article as plain text (Markdown marks dropped)."""
    text = html.unescape(nh3.clean(_MD.render(markdown), tags=set()))
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
