"""notify-svc against the real PostgreSQL and RabbitMQ, a real SMTP server (aiosmtpd, in a thread) and a local fake
of the WhatsApp Cloud API (served by uvicorn). Everything a test needs comes from the `notify` fixture."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from abono.auth import Role
from abono.clock import AdjustableClock
from abono.db import asyncpg_dsn
from abono.events import (
    ClientProfile,
    ClientRegistered,
    ClientUpdated,
    DomainDeleted,
    EmailVerificationRequested,
    Event,
    InvoiceCancelled,
    InvoiceIssued,
    InvoiceLineInfo,
    InvoicePaid,
    InvoiceReminder,
    PasswordChanged,
    QuoteAvailable,
    ServiceActivated,
    ServiceReactivated,
    ServiceSuspended,
    ServiceTerminated,
)
from abono.money import MoneyModel
from abono.testing import (
    AMQP_URL,
    WAIT_WITHIN,
    free_port,
    migrated_database,
    platform_settings,
    publish_events,
    serve,
    test_keys,
    wait_for,
)
from notify.app import create_app
from notify.config import NotifySettings

WA_TOKEN, WA_PHONE_ID, WA_VERIFY, WA_SECRET = "wa-test-token", "1098765", "verify-me", "app-secret-for-tests"
PANEL = "https://panel.example.test"
RETRY_BASE = 60.0  # seconds; the tests move the app's clock past it instead of waiting


# --- a real SMTP server ---------------------------------------------------------------------------------------------
@dataclass
class Mailbox:
    """aiosmtpd handler: keeps every accepted mail. A mail to `defer-<n>-...` gets 451 for its first n tries (per
    subject); recipients `refuse-...` get 550. With `close_after` set, the server closes each connection after that
    many accepted mails (as relays do that limit mails per connection)."""

    port: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    tries: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    close_after: int = 0
    per_connection: dict[int, int] = field(default_factory=dict)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address.startswith("refuse"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        recipient = envelope.rcpt_tos[0]
        key = f"{recipient}|{message['Subject']}"
        with self.lock:
            self.tries[key] = self.tries.get(key, 0) + 1
            if recipient.startswith("defer-") and self.tries[key] <= int(recipient.split("-")[1]):
                return "451 4.3.0 Try again later"
            self.received.append(message)  # type: ignore[arg-type]
            accepted = self.per_connection[id(server)] = self.per_connection.get(id(server), 0) + 1
        if self.close_after and accepted % self.close_after == 0:
            asyncio.get_running_loop().call_soon(server.transport.close)  # right after this reply
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.received if m["To"] == address]


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


# --- a fake WhatsApp Cloud API ------------------------------------------------------------------------------------
@dataclass
class WhatsAppFake:
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Per recipient number: the statuses to answer, in order (then 200).
    script: dict[str, list[int]] = field(default_factory=dict)
    url: str = ""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{version}/{phone_number_id}/messages")
        async def send(version: str, phone_number_id: str, request: Request) -> JSONResponse:
            body = await request.json()
            self.requests.append({"path": request.url.path, "auth": request.headers.get("authorization"),
                                  "body": body})
            if request.headers.get("authorization") != f"Bearer {WA_TOKEN}" or phone_number_id != WA_PHONE_ID:
                return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, 401)
            planned = self.script.get(body.get("to", ""), [])
            status = planned.pop(0) if planned else 200
            if status != 200:
                return JSONResponse({"error": {"message": "scripted failure", "code": status}}, status)
            return JSONResponse({"messaging_product": "whatsapp",
                                 "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                                 "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}]})

        return app

    def to(self, number: str) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests if r["body"].get("to") == number]


@pytest.fixture(scope="session")
async def whatsapp() -> AsyncIterator[WhatsAppFake]:
    fake = WhatsAppFake()
    async with serve(fake.app()) as url:
        fake.url = url
        yield fake


# --- notify itself ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
async def notify_db() -> str:
    return await migrated_database("notify-svc", "abono_test_notify")


@dataclass
class Harness:
    app: FastAPI
    url: str
    database_url: str
    settings: NotifySettings
    mailbox: Mailbox
    whatsapp: WhatsAppFake

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10)

    @property
    def clock(self) -> AdjustableClock:
        clock: AdjustableClock = self.app.state.clock
        return clock

    def advance(self, seconds: float) -> None:
        self.clock.advance(timedelta(seconds=seconds))
        self.app.state.sender.wake()

    @staticmethod
    def auth(client_id: uuid.UUID, role: Role = Role.CLIENT) -> dict[str, str]:
        return {"Authorization": f"Bearer {test_keys().token(role, user_id=client_id)}"}

    def staff(self) -> dict[str, str]:
        return self.auth(uuid.uuid4(), Role.STAFF)

    @staticmethod
    async def publish(*events: Event) -> None:
        """As the producing service's relay would: the contract envelope on `abono.events`."""
        await publish_events(*events)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(asyncpg_dsn(self.database_url))
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def messages(self, event_id: uuid.UUID) -> dict[str, asyncpg.Record]:
        rows = await self.fetch("SELECT * FROM messages WHERE event_id = $1", event_id)
        return {row["channel"]: row for row in rows}

    async def wait_applied(self, *events: Event) -> None:
        ids = [e.event_id for e in events]

        async def applied() -> bool:
            rows = await self.fetch("SELECT DISTINCT event_id FROM inbox WHERE event_id = ANY($1::uuid[])", ids)
            return len(rows) == len(set(ids))

        await wait_for(applied, what=f"notify to apply {len(ids)} events")

    async def wait_status(self, event_id: uuid.UUID, channel: str, *statuses: str, within: float = WAIT_WITHIN) -> Any:
        async def reached() -> bool:
            row = (await self.messages(event_id)).get(channel)
            return row is not None and row["status"] in statuses

        await wait_for(reached, within=within, what=f"{channel} message of {event_id} to be {statuses}")
        return (await self.messages(event_id))[channel]


def notify_settings(database_url: str, port: int, mailbox: Mailbox, whatsapp_url: str) -> NotifySettings:
    return NotifySettings(
        database_url=database_url,
        # Test mode: the app runs an adjustable clock the tests move (there is no gateway to follow here).
        platform=platform_settings(test_mode=True, gateway_url=f"http://127.0.0.1:{free_port()}"),
        outbox_sweep_seconds=0.5,
        company_name="Alto Hosting",
        panel_url=PANEL,
        tracking_url=f"http://127.0.0.1:{port}",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        mail_from="Alto Hosting <avisos@alto.example.test>",
        whatsapp_api_url=whatsapp_url,
        whatsapp_api_version="v21.0",
        whatsapp_phone_number_id=WA_PHONE_ID,
        whatsapp_access_token=WA_TOKEN,  # type: ignore[arg-type]
        whatsapp_message_mode="text",
        whatsapp_verify_token=WA_VERIFY,  # type: ignore[arg-type]
        whatsapp_app_secret=WA_SECRET,  # type: ignore[arg-type]
        sender_poll_seconds=0.05,
        send_max_attempts=3,
        send_retry_base_seconds=RETRY_BASE,
        send_retry_factor=2.0,
    )


async def purge_queues(*names: str) -> None:
    """Events other suites published for clients this database never heard of would only be retried into the
    dead-letter queue while our own wait behind them: start from empty queues."""
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        for name in names:
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.ChannelClosed):  # not declared yet: nothing to purge
                await (await channel.get_queue(name, ensure=True)).purge()


@pytest.fixture(scope="module")
async def notify(notify_db: str, mailbox: Mailbox, whatsapp: WhatsAppFake) -> AsyncIterator[Harness]:
    await purge_queues("notify.notifications", "notify.contacts", "notify.staff")
    port = free_port()
    settings = notify_settings(notify_db, port, mailbox, whatsapp.url)
    app = create_app(settings)
    async with serve(app, port=port) as url:
        await app.state.consumer_runner.wait_consuming()
        yield Harness(app, url, notify_db, settings, mailbox, whatsapp)


# --- events as their producers emit them ------------------------------------------------------------------------
class EventFactory:
    """One of each notifying event for a client, with figures a message must show."""

    @staticmethod
    def new_client(*, phone: str | None = None, language: str = "es", name: str = "Ana Pérez",
                   email_address: str | None = None) -> tuple[uuid.UUID, ClientRegistered]:
        client_id = uuid.uuid4()
        address = email_address or f"ana-{client_id.hex[:10]}@example.test"
        profile = ClientProfile(email=address, name=name, phone=phone, language=language, currency="CLP")
        return client_id, ClientRegistered(client_id=client_id, profile=profile)

    @staticmethod
    def invoice_issued(client_id: uuid.UUID, *, amount_minor: int = 15000, currency: str = "CLP") -> InvoiceIssued:
        total = MoneyModel(amount_minor=amount_minor, currency=currency)
        return InvoiceIssued(
            invoice_id=uuid.uuid4(), client_id=client_id, number="F-000123", payment_reference="PAY-77X",
            total=total, due_on=date(2027, 1, 10),
            lines=[InvoiceLineInfo(description="Hosting Plus (anual) - ejemplo.com.ar", amount=total)],
        )

    @classmethod
    def every_notifying_event(cls, client_id: uuid.UUID, registered: ClientRegistered) -> list[Event]:
        """One event of each N-2 type (plus the A-1 verification link), for `client_id`."""
        profile = registered.profile
        total = MoneyModel(amount_minor=15000, currency="CLP")
        invoice_id, service_id = uuid.uuid4(), uuid.uuid4()
        return [
            registered,
            EmailVerificationRequested(client_id=client_id, profile=profile, token="tok-" + uuid.uuid4().hex,
                                       expires_at=datetime.now(UTC) + timedelta(hours=48)),
            ClientUpdated(client_id=client_id, profile=profile, changed=["phone"]),
            PasswordChanged(client_id=client_id, profile=profile),
            cls.invoice_issued(client_id),
            InvoiceReminder(invoice_id=invoice_id, client_id=client_id, number="F-000124", total=total,
                            due_on=date(2027, 1, 10), days_before=5),
            InvoicePaid(invoice_id=invoice_id, client_id=client_id, number="F-000124", total=total,
                        paid_at=datetime.now(UTC), method="mercadopago"),
            InvoiceCancelled(invoice_id=uuid.uuid4(), client_id=client_id, number="F-000125", reason="B-6"),
            ServiceSuspended(service_id=service_id, client_id=client_id, reason="B-4", invoice_id=invoice_id),
            ServiceActivated(service_id=service_id, client_id=client_id, reason="order", invoice_id=invoice_id),
            ServiceReactivated(service_id=service_id, client_id=client_id, reason="B-7", invoice_id=invoice_id),
            ServiceTerminated(service_id=service_id, client_id=client_id, reason="B-6"),
            QuoteAvailable(quote_id=uuid.uuid4(), client_id=client_id, number="P-0042", title="Tienda online",
                           total=MoneyModel(amount_minor=250000, currency="USD"), valid_until=date(2027, 2, 1)),
            DomainDeleted(client_id=client_id, domain="ejemplo.com.ar", service_id=uuid.uuid4(), reason="expired"),
        ]


@pytest.fixture(scope="session")
def events() -> EventFactory:
    return EventFactory()
