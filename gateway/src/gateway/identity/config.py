"""A-2 settings (env `GATEWAY_IDENTITY_*`), kept apart from the gateway's other settings."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development only (refused in production): a Fernet key for the documents at rest, a key for the fingerprints.
DEV_SECRET_KEY = "ZGV2LW9ubHktYWJvbm8taWRlbnRpdHkta2V5LTMyYiE="
DEV_FINGERPRINT_KEY = "dev-only-identity-fingerprint-key"


class IdentitySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_IDENTITY_", extra="ignore")

    # Fernet keys: the first encrypts the uploaded files and the tax id, all decrypt (rotation).
    secret_keys: list[SecretStr] = [SecretStr(DEV_SECRET_KEY)]
    # Keyed hash of the normalised tax id, sent as `ClientVerified.document_fingerprint` (F-1 self-referral).
    fingerprint_key: SecretStr = SecretStr(DEV_FINGERPRINT_KEY)
    # One file per request, under the gateway's own body limit (GATEWAY_MAX_BODY_BYTES, 1 MiB by default).
    max_file_bytes: int = Field(default=1_000_000, gt=0)

    def check_production(self) -> None:
        if any(k.get_secret_value() == DEV_SECRET_KEY for k in self.secret_keys) or (
                self.fingerprint_key.get_secret_value() == DEV_FINGERPRINT_KEY):
            raise ValueError("production needs GATEWAY_IDENTITY_SECRET_KEYS and GATEWAY_IDENTITY_FINGERPRINT_KEY")
