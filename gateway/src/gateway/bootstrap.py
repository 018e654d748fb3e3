"""Start-up and shutdown hooks: signing keys, the first admin, the test clock, background upkeep."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta

import structlog
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI

from abono.auth import Role, TokenSigner, TokenVerifier
from abono.db import unit_of_work
from abono.errors import Conflict, Unauthorized
from gateway.accounts import passwords
from gateway.accounts.schemas import normalize_email
from gateway.accounts.service import announce_role, create_user
from gateway.config import GatewaySettings
from gateway.ratelimit.service import prune_forever
from gateway.stream.hub import Hub
from gateway.stream.listener import StreamListener
from gateway.testclock import service as testclock

log = structlog.get_logger("gateway.bootstrap")
_PROBE_ID = uuid.UUID(int=0)


def install_token_keys(app: FastAPI, settings: GatewaySettings) -> None:
    """The signer, and a verifier for the gateway's own routes (checked to be the signer's pair)."""
    platform = settings.platform
    private_pem = settings.jwt_private_key_pem()
    signer = TokenSigner(
        private_pem,
        issuer=platform.jwt_issuer,
        audience=platform.jwt_audience,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
    )
    verifier: TokenVerifier | None = app.state.token_verifier
    if verifier is None:
        verifier = TokenVerifier(_public_pem(private_pem), issuer=platform.jwt_issuer, audience=platform.jwt_audience)
    try:
        verifier.verify(signer.access_token(user_id=_PROBE_ID, role=Role.CLIENT, email="probe@abono.invalid"))
    except Unauthorized:
        # Tokens the services could not verify would fail at every call, far from the cause: refuse to start.
        raise RuntimeError(
            "ABONO_JWT_PUBLIC_KEY(_FILE) is not the public key of GATEWAY_JWT_PRIVATE_KEY(_FILE)"
        ) from None
    app.state.token_signer = signer
    app.state.token_verifier = verifier


def _public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


async def on_startup(app: FastAPI) -> None:
    settings: GatewaySettings = app.state.settings
    if settings.platform.test_mode:
        state = await testclock.load(sessionmaker=app.state.sessionmaker, clock=app.state.clock)
        log.info("test_clock_loaded", offset_us=state.offset_us)
    if settings.admin_email and settings.admin_password:
        await ensure_admin(app, settings.admin_email, settings.admin_password)
    await passwords.warm_up()
    app.state.prune_task = asyncio.create_task(
        prune_forever(sessionmaker=app.state.sessionmaker, now=app.state.clock.now)
    )
    app.state.stream_hub = Hub()
    app.state.stream_listener = StreamListener(broker=app.state.broker, hub=app.state.stream_hub)
    app.state.stream_listener.start()


async def on_shutdown(app: FastAPI) -> None:
    listener: StreamListener | None = getattr(app.state, "stream_listener", None)
    if listener is not None:
        await listener.stop()
        app.state.stream_hub.end_all()  # open streams end, so the server's shutdown does not wait for them
    task: asyncio.Task[None] | None = getattr(app.state, "prune_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def ensure_admin(app: FastAPI, email: str, password: str) -> None:
    """Create the configured admin unless the e-mail has an account (which is left as it is)."""
    try:
        email = normalize_email(email)
    except ValueError:
        raise RuntimeError(f"GATEWAY_ADMIN_EMAIL {email!r} is not a valid e-mail address") from None
    try:
        async with unit_of_work(app.state.sessionmaker) as session:
            user = await create_user(
                session=session,
                email=email,
                password=password,
                name="Administrator",
                role=Role.ADMIN,
                now=app.state.clock.now(),
                verified=True,
            )
            await announce_role(session, user, now=app.state.clock.now())
        log.info("admin_created", client_id=str(user.id))
    except Conflict:
        pass  # already there (or created at this moment by another replica)
