"""A channel's way out (STYLE 4: providers behind a small Protocol)."""

from typing import Protocol

from notify.messages.models import Message


class TransientFailure(Exception):
    """Worth another try later (connection refused, 4xx SMTP reply, HTTP 429/5xx)."""


class PermanentFailure(Exception):
    """Retrying cannot help (recipient refused, request rejected): the message fails at once."""


class Transport(Protocol):
    async def send(self, message: Message) -> str:
        """Hand the message over; returns the provider's id of it. Raises one of the failures above."""
        ...
