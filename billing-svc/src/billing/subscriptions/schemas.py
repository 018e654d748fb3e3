import uuid
from datetime import date

from pydantic import BaseModel

from abono.money import MoneyModel


class ServicePublic(BaseModel):
    id: uuid.UUID
    product_code: str
    product_name: str
    status: str
    cycle: str
    domain: str | None
    next_due_on: date
    ends_on: date | None  # B-15: cancelled, it ends (or ended) on this date
    renew: bool  # B-15: false → not renewed, it ends on its next due date
    price: MoneyModel | None  # the current catalog price of its cycle (B-16: what the next renewal charges)
