from sqlalchemy.orm import DeclarativeBase

from abono.db import new_metadata
from abono.messaging.tables import messaging_tables

metadata = new_metadata()
messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata
