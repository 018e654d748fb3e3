"""Domain errors mapped to RFC 9457 problem+json by one handler set."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("abono.errors")


class DomainError(Exception):
    """Base of the errors a service raises on purpose; each maps to one status and problem type."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(DomainError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class AccountClosed(DomainError):
    """B-17: the account was closed (after a chargeback): nothing it holds works any more, tokens included."""

    status, code, title = 403, "account-closed", "Account closed"


class InvalidInput(DomainError):
    status, code, title = 422, "invalid-input", "Invalid input"


class TooManyRequests(DomainError):
    status, code, title = 429, "too-many-requests", "Too many requests"


class ServiceUnavailable(DomainError):
    status, code, title = 503, "unavailable", "Service unavailable"


class PayloadTooLarge(StarletteHTTPException):
    """A request body past the limit (`abono.edge.ServiceEdge`), raised while it is read: 413 problem+json."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")
        self.limit = limit


def too_large_problem(limit: int, instance: str | None, *, close: bool = False) -> JSONResponse:
    return problem(413, "Content too large", f"The request body is larger than {limit} bytes.",
                   code="content-too-large", instance=instance, max_bytes=limit,
                   headers={"Connection": "close"} if close else None)


class Problem(BaseModel):
    """RFC 9457 problem details, as every error leaves the platform (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, bad or expired credentials",
    403: "Your role may not do this",
    404: "Not found",
    405: "This method is not allowed here",
    409: "Conflicts with the current state",
    413: "The request body is too large",
    422: "The request does not match the schema",
    429: "Too many attempts: see Retry-After",
    502: "The service is unreachable",
    503: "A dependency is unavailable",
    504: "The service did not answer in time",
}


def problem_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status documented as a problem. `descriptions` override by name, e.g.
    `problem_responses(400, 404, s400="Invalid or expired token")`."""
    return {
        status: {"model": Problem, "description": descriptions.get(f"s{status}", _DESCRIPTIONS.get(status, "Error"))}
        for status in statuses
    }


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    code: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://abono.dev/problems/{code or _slug(status)}",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


MAX_EXCERPT = 200
MAX_REPORTED_ERRORS = 20


def excerpt(text: str, limit: int = MAX_EXCERPT) -> str:
    """At most `limit` characters of `text`: what an error may quote of a client's input (issue 11)."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


_PREFIX = re.compile(r"/api/[a-z][a-z0-9-]{0,39}")


def instance_of(request: Request) -> str:
    """The path the caller used: behind the gateway, its `/api/<service>` prefix (`X-Forwarded-Prefix`, set by the
    gateway alone) before the service's own path (#19 item 1); anything else in that header is ignored."""
    prefix = request.headers.get("x-forwarded-prefix", "")
    return f"{prefix}{request.url.path}" if _PREFIX.fullmatch(prefix) else request.url.path


def _slug(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "-")
    except ValueError:
        return "error"


def install_problem_handlers(app: FastAPI) -> None:
    """Every error leaves the service as problem+json; an unexpected one is logged and becomes a 500."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.extra.pop("retry_after"))} if "retry_after" in exc.extra else None
        return problem(exc.status, exc.title, excerpt(exc.detail), code=exc.code, instance=instance_of(request),
                       headers=headers, **{k: excerpt(v) if isinstance(v, str) else v for k, v in exc.extra.items()})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, PayloadTooLarge):
            return too_large_problem(exc.limit, instance_of(request), close=True)
        title = _title(exc.status_code)
        detail = excerpt(exc.detail) if isinstance(exc.detail, str) and exc.detail != title else None
        return problem(exc.status_code, title, detail, instance=instance_of(request),
                       headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo what was sent: a message or a key name (an unknown field) is quoted as a short excerpt.
        errors = [
            {
                "loc": [part if isinstance(part, int) else excerpt(str(part), 64) for part in e.get("loc", ())],
                "msg": excerpt(str(e.get("msg", ""))),
                "type": e.get("type", ""),
            }
            for e in exc.errors()[:MAX_REPORTED_ERRORS]
        ]
        return problem(422, "Invalid input", "The request does not match the expected schema.",
                       code="invalid-input", instance=instance_of(request), errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if unstorable_text(exc):  # found by schemathesis (issue 11): a client's input, not our fault
            return problem(422, "Invalid input", UNSTORABLE_TEXT, code="invalid-input", instance=request.url.path)
        log.exception("unhandled_error", path=request.url.path)
        return problem(500, "Internal server error", code="internal", instance=instance_of(request))


UNSTORABLE_TEXT = "Text must be valid Unicode without NUL characters."
# PostgreSQL's "character not in repertoire" (a NUL in text) and "untranslatable character".
_UNSTORABLE_SQLSTATES = frozenset({"22021", "22P05"})


def unstorable_text(exc: BaseException) -> bool:
    """Whether `exc` comes from text PostgreSQL cannot store: a NUL character, or a lone surrogate (JSON's
    `\\ud800` decodes to one, which no UTF-8 encoder takes). Valid JSON, so validation let it through."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, UnicodeEncodeError) or getattr(current, "sqlstate", None) in _UNSTORABLE_SQLSTATES:
            return True
        orig = getattr(current, "orig", None)
        stack.extend([current.__cause__, current.__context__, orig if isinstance(orig, BaseException) else None])
    return False


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
