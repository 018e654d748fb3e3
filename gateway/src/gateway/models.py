"""Every table of the gateway, imported so the metadata is complete (Alembic, tests)."""

from gateway.accounts.models import EmailVerificationToken, User
from gateway.identity.models import IdentityDocument, IdentityVerification
from gateway.ratelimit.models import RateLimitCounter
from gateway.recovery.models import PasswordResetToken
from gateway.sessions.models import RefreshToken
from gateway.staff.models import StaffAudit
from gateway.testclock.models import PlatformClockOffset
from gateway.totp.models import AuditEntry, RecoveryCode, SecurityPolicy, TotpCredential

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
    "StaffAudit",
    "TotpCredential",
    "User",
]
