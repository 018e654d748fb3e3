"""Passwords people cannot guess (issue 11 item 6; NIST SP 800-63B §5.1.1.2: refuse breached and common passwords,
dictionary words, repetitive or sequential characters and words of the context).

zxcvbn (Dropbox's estimator, the `zxcvbn` package) bundles its data: the most common passwords of public breaches
(~30,000), English words, names, keyboard patterns, dates and sequences, so nothing goes to the network. A new
password must reach `MIN_SCORE` (3: about 10^8 guesses or more) when the person's own e-mail and name, and the
platform's name, count as known words. The length limits stay in the schema (`NewPassword`).
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Literal

from zxcvbn import zxcvbn

from abono.errors import InvalidInput

MIN_SCORE = 3
# zxcvbn's time grows with the length; a password whose first 100 characters are guessable is weak anyway.
EVALUATED_CHARS = 100
SITE_WORDS = ("abono", "hosting", "panel", "cliente", "client")
Reason = Literal["common", "personal", "guessable"]
DETAILS: dict[Reason, str] = {
    "common": "This password is on the lists of passwords most used and leaked: choose another.",
    "personal": "This password is built on your name or e-mail address: choose one unrelated to them.",
    "guessable": "This password is too easy to guess (a word, a date, a sequence or a keyboard pattern): "
    "use a longer phrase of unrelated words.",
}


class WeakPassword(InvalidInput):
    """422 `weak-password`; `reason` says why (common, personal or guessable) for the panel to word it."""

    code, title = "weak-password", "The password is too easy to guess"


def personal_words(*values: str | None) -> list[str]:
    """The words of a person's e-mail and name that a guesser would try first (also without accents, and the
    e-mail's local part whole)."""
    words: list[str] = []
    for value in values:
        if not value:
            continue
        for text in {value.lower(), _unaccented(value.lower())}:
            words.extend([text, text.split("@", 1)[0]])
            words.extend(part for part in re.split(r"[^\w]+", text) if len(part) >= 3)
    return list(dict.fromkeys(words))


def weakness(password: str, personal: Iterable[str] = ()) -> Reason | None:
    """Why `password` is too easy to guess, or None if it is not."""
    personal = list(personal)
    words = [w for w in re.split(r"[\W\d_]+", _unaccented(password.lower())) if w]
    if words and set(words) <= set(personal):  # only the person's own words, in any order (zxcvbn misses some)
        return "personal"
    result: dict[str, Any] = zxcvbn(password[:EVALUATED_CHARS], user_inputs=[*personal, *SITE_WORDS])
    if result["score"] >= MIN_SCORE:
        return None
    matches = result["sequence"]
    if any(m.get("dictionary_name") == "user_inputs" and m.get("matched_word") not in SITE_WORDS for m in matches):
        return "personal"
    if any(m.get("dictionary_name") in ("passwords", "user_inputs") for m in matches):
        return "common"
    return "guessable"


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


async def check_new_password(password: str, *, email: str | None, name: str | None) -> None:
    """Raise `WeakPassword` if `password` is too easy to guess for this person (off the event loop: a few ms)."""
    reason = await asyncio.to_thread(weakness, password, personal_words(email, name))
    if reason is not None:
        raise WeakPassword(DETAILS[reason], reason=reason)
