"""Domain errors mapped to RFC 9457 problem+json by one handler set."""

from __future__ import annotations

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


class InvalidInput(DomainError):
    status, code, title = 422, "invalid-input", "Invalid input"


class TooManyRequests(DomainError):
    status, code, title = 429, "too-many-requests", "Too many requests"


class ServiceUnavailable(DomainError):
    status, code, title = 503, "unavailable", "Service unavailable"


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
    409: "Conflicts with the current state",
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
        return problem(exc.status, exc.title, exc.detail, code=exc.code, instance=request.url.path,
                       headers=headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = _title(exc.status_code)
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        return problem(exc.status_code, title, detail, instance=request.url.path,
                       headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem(422, "Invalid input", "The request does not match the expected schema.",
                       code="invalid-input", instance=request.url.path, errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem(500, "Internal server error", code="internal", instance=request.url.path)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
