import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from provisioning.actions.schemas import DriverActionPublic
from provisioning.domains.names import normalize


def valid_cuit(value: str) -> bool:
    """AFIP's CUIT/CUIL: 11 digits (hyphens allowed), the last a mod-11 check digit of the first ten."""
    digits = value.replace("-", "")
    if len(digits) != 11 or not digits.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(digits, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=False)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check < 10 and check == int(digits[10])


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Digits = Annotated[str, StringConstraints(strip_whitespace=True, max_length=15, pattern=r"^[0-9]{1,15}$")]


class DomainPublic(BaseModel):
    """One of my domains. `needs` is what the client must give before it is registered: `registrant_data` (the
    "complete your data" task, P-2), `tax_id` (a .ar holder's CUIT/CUIL) or `epp_code` (a transfer in, D-3)."""

    model_config = ConfigDict(from_attributes=True)

    service_id: uuid.UUID
    name: str
    operation: str
    status: str
    years: int
    expires_on: date | None
    nameservers: list[str]  # what I asked for (empty: the provider's DNS)
    registry_nameservers: list[str]  # what the registry had at the last sync
    uses_provider_dns: bool = False
    locked: bool
    synced_at: datetime | None
    needs: str | None = None
    transfer_refused: str | None = None  # D-3: why the registrar refused the transfer in (e.g. a wrong EPP code)


class StaffDomain(DomainPublic):
    client_id: uuid.UUID
    registrar_order_id: str | None


class RegistrarErrorPublic(DriverActionPublic):
    """A registrar action failing and being retried (P-4), with the domain it is for (staff console)."""

    domain: str | None = None
    client_id: uuid.UUID | None = None


class NameserversUpdate(BaseModel):
    """Either my own name servers (2 to 13) or `use_provider_dns: true` (the provider's, for hosting clients)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"nameservers": ["ns1.example-dns.com", "ns2.example-dns.com"], "use_provider_dns": False}
    ]})

    nameservers: Annotated[list[Annotated[str, StringConstraints(max_length=253)]], Field(max_length=13)] = []
    use_provider_dns: bool = False

    @field_validator("nameservers")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        hosts = [normalize(v) for v in value]
        if len(set(hosts)) != len(hosts):
            raise ValueError("a name server is listed twice")
        return hosts


class LockUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"locked": True}]})

    locked: bool


class TransferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"epp_code": "aB3$kP9#qW2x"}]})

    epp_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=64)]


class EppCode(BaseModel):
    name: str
    epp_code: str


class RegistrantData(BaseModel):
    """The registrant (every contact role) of my domains, as registries require it."""

    model_config = ConfigDict(extra="forbid", from_attributes=True, json_schema_extra={"examples": [
        {
            "name": "Ana López",
            "company": "",
            "email": "ana@example.com",
            "address": "Av. Corrientes 1234",
            "city": "Buenos Aires",
            "state": "CABA",
            "postal_code": "C1043",
            "country": "AR",
            "phone_cc": "54",
            "phone": "1155551234",
        }
    ]})

    name: Required
    company: Text = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                            max_length=254)]
    address: Required
    city: Required
    state: Text = ""
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    country: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=2,
                                              pattern=r"^[A-Za-z]{2}$")]
    phone_cc: Digits
    phone: Digits
    # NIC Argentina (.ar) registers a name only to a holder with a CUIT/CUIL (or, a non-resident, NIC's own id).
    tax_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""

    @model_validator(mode="after")
    def _cuit(self) -> "RegistrantData":
        if self.country == "AR" and self.tax_id and not valid_cuit(self.tax_id):
            raise ValueError("tax_id: not a valid CUIT/CUIL (11 digits, the last one a check digit)")
        return self


class SearchResult(BaseModel):
    name: str
    tld: str
    available: bool | None  # None: the registrar could not tell


class SearchAnswer(BaseModel):
    query: str
    results: list[SearchResult]
    suggestions: list[SearchResult]
