"""Pure rules of F-1: codes, e-mail keys, the attribution window, the address hash. No I/O."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
import uuid
from datetime import datetime, timedelta

# Providers that ignore dots in the local part: "a.na@gmail.com" is "ana@gmail.com".
_DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def code_of(client_id: uuid.UUID) -> str:
    """A client's referral code: billing's (B-12/F-4), the first 12 hex digits of its id, upper case."""
    return client_id.hex[:12].upper()


def email_key(email: str) -> str:
    """The e-mail as one mailbox: lower case, without a `+tag`, without dots where the provider ignores them, so
    `Ana.Perez+ref@gmail.com` and `anaperez@googlemail.com` are the same person (F-1 self-referral)."""
    local, _, domain = email.strip().lower().rpartition("@")
    if not local:
        return email.strip().lower()
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_domain(key: str) -> str:
    return key.rpartition("@")[2]


def within_window(visited_at: datetime, signed_up_at: datetime, window_days: int) -> bool:
    """F-1: a sign-up is attributed when it comes after the visit and no later than `window_days` after it."""
    return visited_at <= signed_up_at <= visited_at + timedelta(days=window_days)


def ip_hash(address: str | None, key: str) -> str | None:
    """A keyed hash of an address: equal addresses compare equal, the address itself is never stored."""
    if not address:
        return None
    return hmac.new(key.encode(), address.strip().encode(), hashlib.sha256).hexdigest()[:32]


def name_key(name: str) -> str:
    """A person's name for comparison: no accents, no case, single spaces (F-3: an account in one's own name)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())
