"""Argon2id password hashing (OWASP: m=19 MiB, t=2, p=1), off the event loop.

argon2-cffi releases the GIL while hashing, so a worker thread keeps the loop answering during the ~50 ms a hash
costs.
"""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)


async def hash_password(password: str) -> str:
    """The Argon2id hash (PHC string) of `password`."""
    return await asyncio.to_thread(HASHER.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash` (never raises for a mismatch or a malformed hash)."""
    return await asyncio.to_thread(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (upgraded at the next login)."""
    return HASHER.check_needs_rehash(password_hash)


async def burn_verification(password: str) -> None:
    """Spend the time of a real verification for an unknown e-mail, so timing does not tell which e-mails exist."""
    await verify_password(_dummy_hash(), password)


async def warm_up() -> None:
    """Build the dummy hash now, so the first login of an unknown e-mail is not slower than the others."""
    await asyncio.to_thread(_dummy_hash)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return HASHER.hash("not a password of anyone")
