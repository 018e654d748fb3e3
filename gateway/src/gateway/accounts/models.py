import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    DateTime,
    Enum,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from abono.auth import Role
from abono.db import trigram_index
from gateway.db import Base

# Stored as its value ("client"), checked by a constraint: adding a role is a migration, not an ALTER TYPE.
RoleColumn = Enum(
    Role,
    name="role",
    native_enum=False,
    create_constraint=True,
    length=16,
    values_callable=lambda roles: [role.value for role in roles],
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("(closed_at IS NULL) = (closed_reason IS NULL)", name="ck_users_closed_reason"),
        trigram_index("ix_users_name_trgm", "lower(name)"),
        trigram_index("ix_users_email_trgm", "lower(email)"),
        trigram_index("ix_users_phone_digits_trgm", "phone_digits"),
        # The start of an e-mail typed in the console's search box (`LIKE 'q%'` in any collation).
        Index("ix_users_email_prefix", text("lower(email) text_pattern_ops")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # The client number staff read on the phone (issue 14), given by the database.
    number: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    email: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(RoleColumn)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    # The phone's digits only, for the console's search (issue 14): "+54 9 11 4321-9876" → "5491143219876".
    phone_digits: Mapped[str] = mapped_column(Text, Computed("regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')"))
    country: Mapped[str | None] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(2))
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # B-17: a closed account cannot log in or refresh; set once, never reopened by an event.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


# one account per e-mail whatever its case; the database is the last word under concurrent sign-ups.
Index("uq_users_email_lower", func.lower(User.email), unique=True)


class EmailVerificationToken(Base):
    __tablename__ = "email_verification_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token: the raw token exists only in the e-mail, so a database leak verifies nobody.
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
