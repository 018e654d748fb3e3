"""Pure rules of A-2: file types by content, tax id normalisation and fingerprint. No I/O."""

from __future__ import annotations

import hashlib
import hmac

# Magic numbers: the type is what the bytes say, never the name or the declared Content-Type.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
IMAGES = frozenset({"image/jpeg", "image/png"})


def sniff(data: bytes) -> str | None:
    """The content type the bytes prove (JPEG, PNG, PDF), else None."""
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def normalise_tax_id(tax_id: str) -> str:
    """Only letters and digits, upper case: "20-12345678-9" and "20123456789" are one tax id."""
    return "".join(c for c in tax_id.upper() if c.isalnum())


def fingerprint(tax_id: str, key: str) -> str:
    """A keyed hash of the normalised tax id: equal documents compare equal; the number itself goes only to billing."""
    return hmac.new(key.encode(), normalise_tax_id(tax_id).encode(), hashlib.sha256).hexdigest()
