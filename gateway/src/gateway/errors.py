"""The gateway's own error types and the problem+json shape its OpenAPI declares for every error."""

from typing import Any

from abono.errors import AccountClosed as AccountClosed  # B-17: one problem type for the gateway and services
from abono.errors import DomainError
from abono.errors import problem_responses as abono_problem_responses


class InvalidToken(DomainError):
    """A verification link that is unknown, used or expired."""

    status, code, title = 400, "invalid-token", "Invalid token"


ACCOUNT_CLOSED = "This account is closed."


class BadGateway(DomainError):
    status, code, title = 502, "bad-gateway", "Bad gateway"


class GatewayTimeout(DomainError):
    status, code, title = 504, "gateway-timeout", "Gateway timeout"


def problem_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """The library's problem responses, with the gateway's wording for its 400 (verification links)."""
    return abono_problem_responses(*statuses, **{"s400": "Invalid or expired token", **descriptions})
