"""Every table of the gateway, imported so the metadata is complete (Alembic, tests)."""

from gateway.accounts.models import EmailVerificationToken, User
from gateway.audit.models import AuditEntry
from gateway.identity.models import IdentityDocument, IdentityVerification
from gateway.ratelimit.models import RateLimitCounter
from gateway.recovery.models import PasswordResetToken
from gateway.sessions.models import RefreshToken
from gateway.testclock.models import PlatformClockOffset
from gateway.totp.models import RecoveryCode, SecurityPolicy, TotpCredential

__all__ = [
    "AuditEntry",
    "EmailVerificationToken",
    "IdentityDocument",
    "IdentityVerification",
    "PasswordResetToken",
    "PlatformClockOffset",
    "RateLimitCounter",
    "RecoveryCode",
    "RefreshToken",
    "SecurityPolicy",
    "TotpCredential",
    "User",
]
