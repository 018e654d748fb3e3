"""Opaque tokens (refresh tokens, e-mail verification links): 256 random bits, stored only as SHA-256.

A fast hash is enough here, unlike passwords: the tokens are random, so there is nothing to guess.
"""

import hashlib
import secrets


def hash_token(raw: str) -> bytes:
    return hashlib.sha256(raw.encode()).digest()


def new_token() -> tuple[str, bytes]:
    """A fresh token and its hash: the raw token goes to its holder, the hash to the database."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)
