"""Secrets at rest (P-7, P-8, F-3, A-2): Fernet (AES-128-CBC + HMAC-SHA256) with keys from settings, rotatable."""

from cryptography.fernet import Fernet, MultiFernet
from pydantic import SecretStr


class SecretBox:
    """Encrypts with the first key, decrypts with any (so keys can be rotated without re-encrypting at once)."""

    def __init__(self, keys: list[SecretStr]) -> None:
        self._fernet = MultiFernet([Fernet(k.get_secret_value().encode()) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def seal(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def open(self, token: bytes) -> bytes:
        return self._fernet.decrypt(token)
