"""From a notice to messages: one per channel the client has (N-1), worded in its language, tracked (N-3), and
written with a unique (event, channel) key, so no redelivery ever makes a second one (N-3 "never twice")."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.contacts.repository import ContactRepository
from notify.content.notices import NOTICES, Notice
from notify.content.rendering import Rendered, Renderer, rewrite_links
from notify.messages.models import Channel, Message, MessageLink, Status
from notify.preferences.models import Preference
from notify.preferences.repository import PreferenceRepository
from notify.template_overrides.repository import TemplateRepository

log = structlog.get_logger("notify.composer")

TOKEN_BYTES = 24  # 192 random bits: tracking tokens cannot be guessed or enumerated


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    phone: str | None
    language: str


def plan_channels(notice: Notice, *, phone: str | None, preference: Preference | None,
                  whatsapp_enabled: bool) -> list[Channel]:
    """N-1 and item 5: e-mail always (only marketing can be refused); WhatsApp with a phone and no opt-out;
    the panel inbox always."""
    marketing_refused = notice.marketing and preference is not None and preference.marketing_opt_out
    whatsapp_refused = preference is not None and preference.whatsapp_opt_out
    channels = []
    if Channel.EMAIL in notice.channels and not marketing_refused:
        channels.append(Channel.EMAIL)
    if (Channel.WHATSAPP in notice.channels and whatsapp_enabled and phone and not whatsapp_refused
            and not marketing_refused):
        channels.append(Channel.WHATSAPP)
    if Channel.PANEL in notice.channels:
        channels.append(Channel.PANEL)
    return channels


class Composer:
    def __init__(self, *, renderer: Renderer, tracking_url: str, whatsapp_enabled: bool) -> None:
        self.renderer = renderer
        self.tracking_url = tracking_url.rstrip("/")
        self.whatsapp_enabled = whatsapp_enabled

    async def compose(self, session: AsyncSession, notice: Notice, *, now: datetime) -> int:
        """Write the notice's messages (flush only); returns how many were new.

        An event carrying the client's profile also refreshes notify's copy of the contact and releases the
        client's parked events. An event for a client with no contact yet is parked instead of failing."""
        contacts = ContactRepository(session)
        await contacts.lock_client(notice.client_id)
        if notice.profile is None:
            return await self._compose(session, notice, now)
        await contacts.upsert(notice.client_id, notice.profile, at=notice.event.occurred_at)
        created = await self._compose(session, notice, now)
        for event in await contacts.take_parked(notice.client_id):
            created += await self._compose(session, NOTICES[type(event)](event), now)
        return created

    async def _compose(self, session: AsyncSession, notice: Notice, now: datetime) -> int:
        contacts = ContactRepository(session)
        recipient = await self._recipient(contacts, notice)
        if recipient is None:
            await contacts.park(notice.client_id, notice.event, at=now)
            return 0
        return await self.compose_to(session, notice, recipient, now=now)

    async def compose_to(self, session: AsyncSession, notice: Notice, recipient: Recipient, *, now: datetime) -> int:
        """The notice's messages to a known recipient (`notice.client_id` is the person's account: a client, or a
        staff member told of an escalated ticket); one per (event, channel, person), never twice."""
        contacts = ContactRepository(session)
        preference = await PreferenceRepository(session).get(notice.client_id)
        language = self.renderer.language(preference.language if preference else None, recipient.language)
        context: dict[str, Any] = {**notice.context, "name": recipient.name, "service": None}
        if notice.service_id is not None:
            service = await contacts.get_service(notice.service_id)
            if service is not None:
                context["service"] = f"{service.name} ({service.domain})" if service.domain else service.name
        # An admin's version of the templates (#14 item 5), read per event: a change applies to the next message.
        sources = await TemplateRepository(session).sources(notice.kind, language)
        channels = plan_channels(notice, phone=recipient.phone, preference=preference,
                                 whatsapp_enabled=self.whatsapp_enabled)
        created = 0
        for channel in channels:
            row, links = self._build(channel, notice, recipient, language, context, now, sources)
            inserted = await session.execute(
                insert(Message).values(**row).on_conflict_do_nothing(
                    index_elements=["event_id", "channel", "client_id"])
                .returning(Message.id)
            )
            if inserted.first() is None:
                continue  # this event already made its message on this channel for this person
            if links:
                await session.execute(sa_insert(MessageLink), links)
            created += 1
        return created

    async def _recipient(self, contacts: ContactRepository, notice: Notice) -> Recipient | None:
        if notice.profile is not None:
            p = notice.profile
            return Recipient(email=p.email, name=p.name, phone=p.phone, language=p.language)
        contact = await contacts.get(notice.client_id)
        if contact is None:
            return None
        return Recipient(email=contact.email, name=contact.name, phone=contact.phone, language=contact.language)

    def _render(self, kind: str, language: str, context: dict[str, Any], sources: tuple[str, str] | None,
                pixel_url: str | None = None) -> Rendered:
        """An admin's templates when there are; the packaged ones if those fail on this event's figures (the
        client is told all the same, and the failure is logged for the admin to fix)."""
        if sources is not None:
            try:
                return self.renderer.render(kind, language, context, pixel_url=pixel_url, sources=sources)
            except Exception:
                log.exception("template_override_failed", kind=kind, language=language)
        return self.renderer.render(kind, language, context, pixel_url=pixel_url)

    def _build(self, channel: Channel, notice: Notice, recipient: Recipient, language: str,
               context: dict[str, Any], now: datetime,
               sources: tuple[str, str] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        message_id = uuid.uuid4()
        row: dict[str, Any] = {
            "id": message_id, "client_id": notice.client_id, "event_id": notice.event.event_id,
            "event_type": notice.event.routing_key, "lane": int(notice.event.lane), "kind": notice.kind,
            "channel": channel.value,
            "language": language, "created_at": now, "status": Status.PENDING.value, "next_attempt_at": now,
        }
        links: list[dict[str, Any]] = []
        if channel is Channel.EMAIL:
            token = secrets.token_urlsafe(TOKEN_BYTES)
            rendered = self._render(notice.kind, language, context, sources,
                                    pixel_url=f"{self.tracking_url}/t/o/{token}.gif")

            def tracked(url: str) -> str:
                link_token = secrets.token_urlsafe(TOKEN_BYTES)
                links.append({"message_id": message_id, "token": link_token, "url": url})
                return f"{self.tracking_url}/t/c/{link_token}"

            html, text = rewrite_links(rendered.html, rendered.text, tracked)
            row |= {"address": recipient.email, "subject": rendered.subject, "body_text": text, "body_html": html,
                    "tracking_token": token}
            return row, links
        rendered = self._render(notice.kind, language, context, sources)
        if channel is Channel.WHATSAPP:
            row |= {"address": recipient.phone, "subject": rendered.subject, "body_text": rendered.whatsapp,
                    "template_params": rendered.whatsapp_params}
        else:  # the panel inbox: there as soon as it is written
            row |= {"address": None, "subject": rendered.subject, "body_text": rendered.text,
                    "body_html": rendered.html, "status": Status.DELIVERED.value, "next_attempt_at": None,
                    "delivered_at": now}
        return row, links
