"""Settings refuse unsafe combinations; access JWTs are verified strictly (RFC 8725)."""

import uuid
from datetime import timedelta

import jwt
import pytest
from pydantic import ValidationError

from abono.auth import Role, TokenSigner, TokenVerifier, generate_keypair
from abono.errors import Unauthorized
from abono.settings import PlatformSettings
from abono.testing import test_keys


def test_test_mode_is_off_by_default_and_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABONO_TEST_MODE", raising=False)
    assert PlatformSettings().test_mode is False
    with pytest.raises(ValidationError, match="TEST_MODE"):
        PlatformSettings(environment="production", test_mode=True, jwt_public_key="x")
    with pytest.raises(ValidationError, match="JWT_PUBLIC_KEY"):
        PlatformSettings(environment="production")


def test_platform_settings_read_the_abono_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ABONO_AMQP_URL", "amqp://u:p@broker:5672/")
    monkeypatch.setenv("ABONO_TEST_MODE", "true")
    settings = PlatformSettings()
    assert settings.amqp_url == "amqp://u:p@broker:5672/"
    assert settings.test_mode is True


def _verifier(public_pem: str) -> TokenVerifier:
    return TokenVerifier(public_pem, issuer="abono-gateway", audience="abono")


def test_access_token_round_trip() -> None:
    keys = test_keys()
    uid = uuid.uuid4()
    principal = _verifier(keys.public_pem).verify(keys.token(Role.STAFF, user_id=uid, email="s@example.test"))
    assert (principal.user_id, principal.role, principal.email) == (uid, Role.STAFF, "s@example.test")
    assert principal.is_staff


def test_tokens_from_another_key_wrong_audience_or_expired_are_refused() -> None:
    keys = test_keys()
    other_private, _ = generate_keypair()
    verifier = _verifier(keys.public_pem)
    uid = uuid.uuid4()
    forged = TokenSigner(other_private, issuer="abono-gateway", audience="abono", ttl=timedelta(minutes=5))
    wrong_aud = TokenSigner(keys.private_pem, issuer="abono-gateway", audience="other", ttl=timedelta(minutes=5))
    expired = TokenSigner(keys.private_pem, issuer="abono-gateway", audience="abono", ttl=timedelta(seconds=-60))
    for signer in (forged, wrong_aud, expired):
        with pytest.raises(Unauthorized):
            verifier.verify(signer.access_token(user_id=uid, role=Role.ADMIN, email="x@example.test"))


def test_algorithm_is_allow_listed() -> None:
    # An HS256 token "signed" with the public key as a shared secret (the classic confusion attack) is refused.
    keys = test_keys()
    claims = {"iss": "abono-gateway", "aud": "abono", "sub": str(uuid.uuid4()), "role": "admin",
              "typ": "access", "iat": 0, "exp": 9_999_999_999}
    token = jwt.encode(claims, "not-the-key-but-long-enough-for-hs256!", algorithm="HS256")
    with pytest.raises(Unauthorized):
        _verifier(keys.public_pem).verify(token)
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(Unauthorized):
        _verifier(keys.public_pem).verify(unsigned)
