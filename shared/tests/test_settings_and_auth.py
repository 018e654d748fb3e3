"""Settings refuse unsafe combinations; access JWTs are verified strictly (RFC 8725)."""

import time
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


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _counting_decode(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = jwt.decode

    def decode(token: str, *args: object, **kwargs: object) -> object:
        calls.append(token)
        return real(token, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", decode)
    return calls


def test_a_verified_token_is_remembered_but_never_accepted_past_its_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = test_keys()
    clock = _Clock()
    verifier = TokenVerifier(keys.public_pem, issuer="abono-gateway", audience="abono", leeway=5, clock=clock)
    signer = TokenSigner(keys.private_pem, issuer="abono-gateway", audience="abono", ttl=timedelta(minutes=1))
    token = signer.access_token(user_id=uuid.uuid4(), role=Role.CLIENT, email="c@example.test")
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    decoded = _counting_decode(monkeypatch)

    first = verifier.verify(token)
    assert verifier.verify(token) == first and len(decoded) == 1  # the second check skipped the signature
    clock.now = exp + 4.9  # within the leeway, as PyJWT judges it
    assert verifier.verify(token) == first
    clock.now = exp + 5  # PyJWT: expired once exp <= now - leeway; the cache must agree
    with pytest.raises(Unauthorized, match="expired"):
        verifier.verify(token)
    with pytest.raises(Unauthorized, match="expired"):  # and it is not remembered as valid afterwards either
        verifier.verify(token)


def test_the_token_cache_is_bounded_and_never_remembers_a_refused_token(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = test_keys()
    verifier = TokenVerifier(keys.public_pem, issuer="abono-gateway", audience="abono", cache_size=2)
    tokens = [keys.token(Role.CLIENT, user_id=uuid.uuid4(), email="c@example.test") for _ in range(3)]
    decoded = _counting_decode(monkeypatch)
    for token in tokens:
        verifier.verify(token)
    verifier.verify(tokens[2])
    assert len(decoded) == 3
    verifier.verify(tokens[0])  # the oldest was dropped to keep two: verified again
    assert len(decoded) == 4
    forged = tokens[1][:-4] + ("AAAA" if not tokens[1].endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(Unauthorized):
            verifier.verify(forged)
    assert decoded[-2:] == [forged, forged]
