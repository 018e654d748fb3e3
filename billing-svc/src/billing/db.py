from sqlalchemy.orm import DeclarativeBase

from abono.business_days import override_table
from abono.db import new_metadata
from abono.messaging.tables import messaging_tables
from abono.revocation import revocation_table

metadata = new_metadata()
messaging_tables(metadata)
revocation_table(metadata)
override_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata
