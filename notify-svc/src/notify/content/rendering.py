"""Templates per kind and language (jinja2): `<kind>.txt` holds the subject, the e-mail's text part, the WhatsApp
text and the WhatsApp template's parameters (one per line); `<kind>.html` the e-mail's HTML part (autoescaped)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from notify.config import LANGUAGES
from notify.content.formatting import Formatter

_HREF = re.compile(r'href="(https?://[^"]+)"')
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    whatsapp: str
    whatsapp_params: list[str]


class Renderer:
    def __init__(self, *, panel_url: str, company_name: str, default_language: str = "es") -> None:
        self.panel_url = panel_url.rstrip("/")
        self.company_name = company_name
        self.default_language = default_language
        options: dict[str, Any] = {"loader": PackageLoader("notify", "templates"), "undefined": StrictUndefined,
                                   "trim_blocks": True, "lstrip_blocks": True}
        self._env = Environment(autoescape=select_autoescape(["html"]), **options)
        # Templates an admin wrote in the console (#14 item 5): sandboxed, so a template reaches no Python object's
        # internals; the HTML part autoescaped as the files' are.
        self._sandbox_text = SandboxedEnvironment(autoescape=False, **options)
        self._sandbox_html = SandboxedEnvironment(autoescape=select_autoescape(["html"], default_for_string=True),
                                                  **options)

    def language(self, *candidates: str | None) -> str:
        """The first of `candidates` we have templates for, else the default."""
        return next((c for c in candidates if c in LANGUAGES), self.default_language)

    def file_sources(self, kind: str, language: str) -> tuple[str, str]:
        """The packaged templates of a kind and language: (`.txt`, `.html`) as written in `templates/`."""
        assert self._env.loader is not None
        return (self._env.loader.get_source(self._env, f"{language}/{kind}.txt")[0],
                self._env.loader.get_source(self._env, f"{language}/{kind}.html")[0])

    def _templates(self, kind: str, language: str, sources: tuple[str, str] | None) -> tuple[Template, Template]:
        if sources is None:
            return (self._env.get_template(f"{language}/{kind}.txt"), self._env.get_template(f"{language}/{kind}.html"))
        return self._sandbox_text.from_string(sources[0]), self._sandbox_html.from_string(sources[1])

    def render(self, kind: str, language: str, context: dict[str, Any], *, pixel_url: str | None = None,
               sources: tuple[str, str] | None = None) -> Rendered:
        """The message of `kind` in `language`; `sources` (text, HTML) in place of the packaged templates."""
        values = {**context, "fmt": Formatter(language), "company": self.company_name, "panel_url": self.panel_url,
                  "pixel_url": pixel_url}
        for key, value in context.items():
            if key.endswith("_path"):
                values[key.removesuffix("_path") + "_url"] = f"{self.panel_url}{value}" if value else None
        text, html_template = self._templates(kind, language, sources)
        params = _block(text, "params", values)
        values["subject"] = " ".join(_block(text, "subject", values).split())
        return Rendered(
            subject=values["subject"],
            text=_block(text, "text", values),
            html=html_template.render(values),
            whatsapp=_block(text, "whatsapp", values),
            whatsapp_params=[line.strip() for line in params.splitlines() if line.strip()],
        )


def _block(template: Template, name: str, values: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(values))).strip()


def rewrite_links(html_body: str, text_body: str, tracked: Callable[[str], str]) -> tuple[str, str]:
    """Point every http(s) link of the HTML part, and the same URLs in the text part, at `tracked(url)`.

    `tracked` is called once per distinct URL, in order of appearance; the open pixel (an `src`) is left alone."""
    mapping: dict[str, str] = {}
    for match in _HREF.finditer(html_body):
        url = html.unescape(match.group(1))
        if url not in mapping:
            mapping[url] = tracked(url)
    new_html = _HREF.sub(lambda m: f'href="{html.escape(mapping[html.unescape(m.group(1))])}"', html_body)
    new_text = _URL.sub(lambda m: mapping.get(m.group(0), m.group(0)), text_body)
    return new_html, new_text
