from sqlalchemy.orm import DeclarativeBase

from abono.db import new_metadata
from abono.messaging.tables import messaging_tables
from abono.revocation import revocation_table

metadata = new_metadata()
messaging_tables(metadata)
revocation_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata


def load_models() -> None:
    """Import every model module so `metadata` knows all tables (Alembic autogenerate, tests)."""
    import notify.contacts.models
    import notify.messages.models
    import notify.preferences.models  # noqa: F401
