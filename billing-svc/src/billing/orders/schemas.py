import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from abono.bounds import Code
from abono.money import MoneyModel
from billing.cycles import Cycle
from billing.invoices.schemas import PreviewLine


class OrderItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_code: Code
    cycle: Cycle
    quantity: Annotated[StrictInt, Field(ge=1, le=100)] = 1
    domain: Annotated[str, Field(max_length=253)] | None = None
    # D-1/D-3: a domain brought from another registrar (priced at the TLD's transfer price); the EPP code goes to
    # provisioning (`POST /domains/{id}/transfer`), never to billing.
    transfer: bool = False
    # B-6: bring back a terminated service (a new order plus the restoration fee).
    restore_service_id: uuid.UUID | None = None


class OrderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {
            "items": [
                         {"product_code": "hosting-basic", "cycle": "annual", "quantity": 1},
                         {"product_code": "domain-com", "cycle": "annual", "domain": "mi-negocio.com"},
                     ],
            "coupon": "BIENVENIDA10",
            "payment_method": "mercadopago",
        }
    ]})

    items: Annotated[list[OrderItem], Field(min_length=1, max_length=20)]
    coupon: Code | None = None
    payment_method: Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9_]{2,40}$")] | None = None
    # B-12 2x1 (billing.promos.two_for_one): the other new client ordering the same with me, by id or e-mail.
    partner: Annotated[str, Field(min_length=3, max_length=254)] | None = None


class OrderPreview(BaseModel):
    currency: str
    lines: list[PreviewLine]
    subtotal: MoneyModel
    discount: MoneyModel
    credit_available: MoneyModel
    total: MoneyModel  # before credit: the credit is applied when the invoice is issued


class OrderPlaced(BaseModel):
    invoice_id: uuid.UUID
    number: str
    payment_reference: str
    status: str
    total_due: MoneyModel
    service_ids: list[uuid.UUID]
