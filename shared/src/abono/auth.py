"""Access JWTs: the gateway signs them with its Ed25519 private key; every service verifies them with the
public key, so no service trusts the network (ARCHITECTURE "Security"; RFC 8725: the algorithm is
allow-listed and `iss`, `aud`, `exp` are required)."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from abono.errors import AccountClosed, Forbidden, Unauthorized
from abono.revocation import RevocationList

ALGORITHM = "EdDSA"


class Role(StrEnum):
    CLIENT = "client"
    STAFF = "staff"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the verified subject of an access token."""

    user_id: uuid.UUID
    role: Role
    email: str
    token_id: str
    issued_at: float = 0.0  # `iat`, epoch seconds (milliseconds kept): revocations compare against it

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


class TokenSigner:
    def __init__(self, private_key_pem: str, *, issuer: str, audience: str, ttl: timedelta) -> None:
        self._key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl

    def access_token(self, *, user_id: uuid.UUID, role: Role, email: str) -> str:
        # Access tokens live on wall time, not the test clock: PyJWT checks `exp` against real time.
        issued = datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user_id),
            "role": role.value,
            "email": email,
            "typ": "access",
            "jti": uuid.uuid4().hex,
            # NumericDate may be fractional (RFC 7519 §2): milliseconds, so a token issued just after a password
            # change is told from one issued just before it in the same second.
            "iat": round(issued.timestamp(), 3),
            "exp": int((issued + self.ttl).timestamp()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)  # type: ignore[arg-type]


class TokenVerifier:
    """Verifies access tokens; remembers the last `cache_size` it verified, so a client's next requests with the
    same token skip the Ed25519 check (the costliest part of a small request). A remembered token is still
    refused once its `exp` (plus the leeway) is past: the cache never outlives what the signature promised."""

    def __init__(
        self,
        public_key_pem: str,
        *,
        issuer: str,
        audience: str,
        leeway: int = 5,
        cache_size: int = 4096,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = serialization.load_pem_public_key(public_key_pem.encode())
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self._clock = clock
        self._cache_size = cache_size
        # token → (principal, the instant it stops being accepted: exp + leeway)
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def verify(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, valid_until = remembered
            if self._clock() < valid_until:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal, valid_until = self._check(token)
        if self._cache_size > 0:
            self._verified[token] = (principal, valid_until)
            if len(self._verified) > self._cache_size:
                self._verified.popitem(last=False)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self._key,  # type: ignore[arg-type]
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                # `exp` is checked below against our clock, the same one the cache is judged by.
                options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            raise Unauthorized("The access token is not valid.") from None
        exp = claims["exp"]
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise Unauthorized("The access token is not valid.")
        valid_until = float(exp) + self.leeway
        if self._clock() >= valid_until:  # PyJWT's rule: expired when exp <= now - leeway
            raise Unauthorized("The access token has expired.")
        if claims.get("typ") != "access":
            raise Unauthorized("The token is not an access token.")
        try:
            principal = Principal(
                user_id=uuid.UUID(claims["sub"]),
                role=Role(claims["role"]),
                email=str(claims.get("email", "")),
                token_id=str(claims.get("jti", "")),
                issued_at=float(claims["iat"]),
            )
        except (KeyError, ValueError):
            raise Unauthorized("The access token is not valid.") from None
        return principal, valid_until


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Send an access token as 'Authorization: Bearer <token>'.")
    return token.strip()


class _DeclaredBearer(HTTPBearer):
    """`HTTPBearer` for the OpenAPI documents only: per request it reads nothing and returns None (FastAPI's parsed
    the header into an `HTTPAuthorizationCredentials` model nobody used: issue 20); `current_principal` checks it."""

    async def __call__(self, request: HTTPConnection) -> None:
        return None


# Declares the access token in the OpenAPI documents, so the operations that need one (and only those) show a lock in
# /docs; it reads nothing itself: `current_principal` checks the header.
bearer_scheme = _DeclaredBearer(auto_error=False, scheme_name="bearerAuth", bearerFormat="JWT",
                                description="The access token from `POST /api/auth/login`.")
BearerDeclared = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


async def current_principal(request: Request, _: BearerDeclared) -> Principal:
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise Unauthorized("This service has no JWT public key configured.")
    principal = verifier.verify(bearer_token(request))
    revocations: RevocationList | None = getattr(request.app.state, "revocations", None)
    if revocations is not None and revocations.refuses(principal.user_id, principal.issued_at):
        if revocations.is_closed(principal.user_id):
            raise AccountClosed("This account is closed.")
        raise Unauthorized("This session has ended (the password was changed): log in again.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: Role) -> Any:
    """Dependency: the caller must hold one of `roles` (403 otherwise)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden("Your role may not do this.")
        return principal

    return Depends(check)


StaffPrincipal = Annotated[Principal, require_role(Role.STAFF, Role.ADMIN)]
AdminPrincipal = Annotated[Principal, require_role(Role.ADMIN)]
