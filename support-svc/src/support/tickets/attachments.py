"""S-1 attachments: the type is what the content is (magic numbers), never what the file name claims."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from abono.errors import InvalidInput

_ALLOWED_TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}


def sniff(data: bytes) -> str | None:
    """The media type of `data` by its content, or None when it is none we recognise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ch < " " and ch not in _ALLOWED_TEXT_CONTROLS for ch in text) or "\x7f" in text:
        return None
    return "text/plain"


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes


def check_attachment(*, filename: str, content: bytes, allowed: list[str], max_bytes: int) -> CheckedFile:
    if not content:
        raise InvalidInput(f"The attachment {filename!r} is empty.")
    if len(content) > max_bytes:
        raise InvalidInput(f"The attachment {filename!r} is larger than {max_bytes} bytes.")
    kind = sniff(content)
    if kind is None or kind not in allowed:
        raise InvalidInput(f"The attachment {filename!r} is not of an accepted type ({', '.join(allowed)}).",
                           detected=kind)
    return CheckedFile(filename=filename, content_type=kind, content=content)


def decode_base64(filename: str, value: str, max_bytes: int) -> bytes:
    # A base64 text of more than 4/3 of the limit cannot decode within it: refuse before decoding.
    if len(value) > (max_bytes * 4) // 3 + 8:
        raise InvalidInput(f"The attachment {filename!r} is larger than {max_bytes} bytes.")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"The attachment {filename!r} is not valid base64.") from None
