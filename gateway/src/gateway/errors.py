"""The gateway's own error types and the problem+json shape its OpenAPI declares for every error."""

from typing import Any

from pydantic import BaseModel, ConfigDict

from abono.errors import DomainError


class InvalidToken(DomainError):
    """A verification link that is unknown, used or expired."""

    status, code, title = 400, "invalid-token", "Invalid token"


class BadGateway(DomainError):
    status, code, title = 502, "bad-gateway", "Bad gateway"


class GatewayTimeout(DomainError):
    status, code, title = 504, "gateway-timeout", "Gateway timeout"


class Problem(BaseModel):
    """RFC 9457 problem details, as every error leaves the platform (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


_DESCRIPTIONS = {
    400: "Invalid or expired token",
    401: "Missing, bad or expired credentials",
    403: "Your role may not do this",
    404: "Not found",
    409: "Conflicts with the current state",
    422: "The request does not match the schema",
    429: "Too many attempts: see Retry-After",
    502: "The service is unreachable",
    504: "The service did not answer in time",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status documented as a problem (media type fixed up in the merged schema)."""
    return {status: {"model": Problem, "description": _DESCRIPTIONS[status]} for status in statuses}
