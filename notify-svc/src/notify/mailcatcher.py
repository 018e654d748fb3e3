"""The development mail catcher (issue 13 item 5): an SMTP server that keeps what notify sends, and a small web page
listing the messages with their links clickable, so a verification or password-reset link can be followed without
a real mailbox. Started by the sandbox of `make run` (never in production); everything is in memory."""

from __future__ import annotations

import asyncio
import email
import email.policy
import html
import itertools
import re
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from functools import partial
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

_URL = re.compile(r"https?://[^\s<>\"']+")
_STYLE = """<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .4rem .6rem; }
tr:nth-child(even) { background: #f4f5f7; } pre { white-space: pre-wrap; background: #f4f5f7; padding: 1rem; }
iframe { width: 100%; height: 32rem; border: 1px solid #ddd; }
</style>"""


def _linkified(text: str) -> str:
    """The text, escaped, with every http(s) URL a link."""
    out, last = [], 0
    for match in _URL.finditer(text):
        url = html.escape(match.group(0))
        out += [html.escape(text[last:match.start()], quote=False), f'<a href="{url}">{url}</a>']
        last = match.end()
    return "".join([*out, html.escape(text[last:], quote=False)])


@dataclass(frozen=True)
class CaughtMail:
    id: int
    received_at: datetime
    sender: str
    to: str
    subject: str
    text: str
    html: str | None

    @property
    def links(self) -> list[str]:
        return list(dict.fromkeys(_URL.findall(self.text)))

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "received_at": self.received_at.isoformat(), "from": self.sender, "to": self.to,
                "subject": self.subject, "text": self.text, "html": self.html, "links": self.links}


class MailCatcher:
    """aiosmtpd handler keeping the last `keep` messages, newest first."""

    def __init__(self, keep: int = 500) -> None:
        self.messages: deque[CaughtMail] = deque(maxlen=keep)
        self._ids = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        text_part, html_part = mail.get_body(preferencelist=("plain",)), mail.get_body(preferencelist=("html",))
        self.messages.appendleft(CaughtMail(
            id=next(self._ids), received_at=datetime.now(UTC), sender=str(mail["From"] or envelope.mail_from),
            to=str(mail["To"] or ", ".join(envelope.rcpt_tos)), subject=str(mail["Subject"] or ""),
            text=text_part.get_content() if text_part is not None else "",
            html=html_part.get_content() if html_part is not None else None,
        ))
        return "250 Message accepted"

    async def serve_smtp(self, host: str, port: int) -> asyncio.Server:
        """Listen for SMTP on `host:port` in the running loop."""
        return await asyncio.get_running_loop().create_server(partial(SMTP, self, hostname="mailcatcher"), host, port)

    def web(self) -> Starlette:
        return Starlette(routes=[
            Route("/", self._index), Route("/messages/{mid:int}", self._message),
            Route("/messages.json", self._json), Route("/readyz", self._ready),
        ])

    async def _index(self, request: Request) -> Response:
        e = html.escape
        rows = "".join(
            f'<tr><td>{m.received_at:%H:%M:%S}</td><td>{e(m.to)}</td>'
            f'<td><a href="/messages/{m.id}">{e(m.subject) or "(no subject)"}</a></td></tr>'
            for m in self.messages
        ) or '<tr><td colspan="3">No messages yet.</td></tr>'
        return HTMLResponse(
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Abono mail catcher</title>"
            f'<meta http-equiv="refresh" content="5">{_STYLE}</head><body><h1>Caught e-mail</h1>'
            f"<p>Everything the platform mails in development lands here (newest first, refreshed every 5 s).</p>"
            f"<table><tr><th>time (UTC)</th><th>to</th><th>subject</th></tr>{rows}</table></body></html>"
        )

    async def _message(self, request: Request) -> Response:
        mail = next((m for m in self.messages if m.id == request.path_params["mid"]), None)
        if mail is None:
            return HTMLResponse("<p>No such message.</p>", status_code=404)
        e = html.escape
        text = _linkified(mail.text)
        shown = f'<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="{e(mail.html)}"></iframe>' \
            if mail.html else ""
        return HTMLResponse(
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(mail.subject)}</title>{_STYLE}"
            f'</head><body><p><a href="/">&larr; all messages</a></p><h1>{e(mail.subject)}</h1>'
            f"<p>From {e(mail.sender)} to {e(mail.to)}, {mail.received_at:%Y-%m-%d %H:%M:%S} UTC</p>"
            f"<pre>{text}</pre>{shown}</body></html>"
        )

    async def _json(self, request: Request) -> Response:
        to = request.query_params.get("to")
        return JSONResponse([m.summary() for m in self.messages if to is None or to.lower() in m.to.lower()])

    async def _ready(self, request: Request) -> Response:
        return JSONResponse({"status": "ready"})
