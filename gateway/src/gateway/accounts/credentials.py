"""E-mail and password checked, as at login: the same answer for an unknown e-mail and a wrong password."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Unauthorized
from gateway.accounts.models import User
from gateway.accounts.passwords import burn_verification, hash_password, needs_rehash, verify_password
from gateway.accounts.repository import UserRepository
from gateway.errors import ACCOUNT_CLOSED, AccountClosed

log = structlog.get_logger("gateway.sessions")
BAD_CREDENTIALS = "Wrong e-mail or password."


async def authenticate(*, session: AsyncSession, email: str, password: str) -> User:
    """The account of these credentials (401 otherwise; 403 `account-closed` for a closed one, B-17)."""
    user = await UserRepository(session).get_by_email(email)
    if user is None:
        # Same work and same answer as a wrong password: the response does not tell which e-mails have accounts.
        await burn_verification(password)
        raise Unauthorized(BAD_CREDENTIALS)
    if not await verify_password(user.password_hash, password):
        raise Unauthorized(BAD_CREDENTIALS)
    if user.is_closed:
        # Only after the password: a wrong one gets the same 401 as for an open account (B-17).
        log.info("login_refused_closed", client_id=str(user.id))
        raise AccountClosed(ACCOUNT_CLOSED)
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
    return user
