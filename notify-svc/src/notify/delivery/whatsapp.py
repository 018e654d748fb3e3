"""WhatsApp through the Cloud API: `POST {api}/{version}/{phone_number_id}/messages` with a Bearer token.

Template mode sends the approved template `<prefix><kind>` in the message's language with its body parameters;
text mode sends the rendered text. The answer's `messages[0].id` (a `wamid`) ties later webhook statuses to it."""

from __future__ import annotations

import re
from typing import Any

import httpx

from notify.config import NotifySettings
from notify.delivery.transport import PermanentFailure, TransientFailure
from notify.messages.models import Message


def wa_number(phone: str) -> str:
    """The Cloud API wants the international number in digits only: "+54 9 11 5555-0000" → "5491155550000"."""
    return re.sub(r"\D", "", phone)


def message_body(message: Message, *, mode: str, template_prefix: str) -> dict[str, Any]:
    if message.address is None or not wa_number(message.address):
        raise PermanentFailure("the message has no phone number")
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual",
                            "to": wa_number(message.address)}
    if mode == "template":
        parameters = [{"type": "text", "text": value} for value in message.template_params or []]
        body |= {"type": "template", "template": {
            "name": f"{template_prefix}{message.kind}",
            "language": {"code": message.language},
            "components": [{"type": "body", "parameters": parameters}] if parameters else [],
        }}
    else:
        body |= {"type": "text", "text": {"preview_url": True, "body": message.body_text}}
    return body


class WhatsAppTransport:
    def __init__(self, settings: NotifySettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.url = (f"{settings.whatsapp_api_url.rstrip('/')}/{settings.whatsapp_api_version}/"
                    f"{settings.whatsapp_phone_number_id}/messages")

    async def send(self, message: Message) -> str:
        token = self.settings.whatsapp_access_token
        body = message_body(message, mode=self.settings.whatsapp_message_mode,
                            template_prefix=self.settings.whatsapp_template_prefix)
        try:
            response = await self.client.post(
                self.url, json=body, timeout=self.settings.whatsapp_timeout_seconds,
                headers={"Authorization": f"Bearer {token.get_secret_value() if token else ''}"},
            )
        except httpx.HTTPError as exc:
            raise TransientFailure(f"WhatsApp unreachable: {exc!r}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientFailure(f"WhatsApp {response.status_code}: {response.text[:500]}")
        if response.status_code in (401, 403):
            # A bad or expired token is ours to fix; the message keeps its retries meanwhile.
            raise TransientFailure(f"WhatsApp {response.status_code}: {response.text[:500]}")
        if response.status_code >= 400:
            raise PermanentFailure(f"WhatsApp {response.status_code}: {response.text[:500]}")
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            # Accepted all the same: sending again would deliver it twice. Only its statuses will be missing.
            return ""
