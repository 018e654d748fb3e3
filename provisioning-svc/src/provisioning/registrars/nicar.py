""".ar domains (`.com.ar` and the other zones under `.ar`) at NIC Argentina, which runs the registry itself.

NIC Argentina has no registrar API: by its rules (Resolution 43/2019) every registration, renewal, delegation (name
servers) and change of holder is a procedure in its TAD platform, done by the holder (a resident with CUIT/CUIL and a
fiscal key, a non-resident with a NIC Argentina id) or by a representative the holder names there. The provider acts
as that representative, so each change is a staff step in TAD (`provisioning.domains.tad`: a task per action, P-3),
and this driver reads the registry's public RDAP service (RFC 9082/9083, `https://rdap.nic.ar`) for what the issue
asks of a registrar that has no API: availability (D-1) and the state the sync records (status, expiry, name
servers), and to confirm a step done in TAD before the action counts as done (P-4: never on staff's word alone).

Rules that follow (D-3): registration and renewal are for one year at a time; there are no EPP codes and no transfer
lock (a domain moves to another holder in TAD, not between registrars), so transfer in, lock and the EPP code are
refused for `.ar` names.
"""

from datetime import UTC, date, datetime
from typing import Any

import httpx
from pydantic import BaseModel

from provisioning.registrars.base import (
    Availability,
    Contact,
    DomainRequest,
    DomainState,
    RegistrarError,
    RegistryStatus,
    Suggestion,
)

NO_EPP = "NIC Argentina has no EPP codes or transfer lock: a .ar domain changes holder in NIC's TAD procedure"


def is_nic_ar(name_or_tld: str) -> bool:
    """NIC Argentina administers `.ar` and every zone under it (`com.ar`, `net.ar`, ...)."""
    value = name_or_tld.lower().rstrip(".")
    return value == "ar" or value.endswith(".ar")


class NicArgentinaSettings(BaseModel):
    rdap_url: str = "https://rdap.nic.ar"  # RFC 9082 base: GET {rdap_url}/domain/{name}
    timeout_seconds: float = 15.0


class NicArgentina:
    """Reads NIC Argentina's RDAP; the changes themselves are TAD steps done by staff (see the module's doc)."""

    def __init__(self, settings: NicArgentinaSettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http

    async def _rdap(self, name: str) -> dict[str, Any] | None:
        """The RDAP domain object, or None when the registry has no such domain (404: available)."""
        url = f"{self.settings.rdap_url.rstrip('/')}/domain/{name}"
        try:
            response = await self.http.get(url, headers={"Accept": "application/rdap+json"},
                                           timeout=self.settings.timeout_seconds)
        except httpx.HTTPError as exc:
            raise RegistrarError(f"NIC Argentina RDAP: {exc!r}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise RegistrarError(f"NIC Argentina RDAP: HTTP {response.status_code} {response.text[:200]}")
        try:
            body = response.json()
        except ValueError:
            raise RegistrarError(f"NIC Argentina RDAP: not JSON: {response.text[:200]}") from None
        if not isinstance(body, dict) or body.get("objectClassName") != "domain":
            raise RegistrarError(f"NIC Argentina RDAP: unexpected answer {body!r:.200}")
        return body

    async def check(self, label: str, tlds: list[str]) -> dict[str, Availability]:
        answer = {}
        for tld in tlds:
            name = f"{label}.{tld}"
            answer[name] = Availability.TAKEN if await self._rdap(name) else Availability.AVAILABLE
        return answer

    async def suggest(self, keyword: str, tlds: list[str], limit: int) -> list[Suggestion]:
        return []  # RDAP has no suggestions

    async def state(self, name: str) -> DomainState:
        body = await self._rdap(name)
        if body is None:
            return DomainState(name=name, status=RegistryStatus.ABSENT)
        expires_on = _event(body, "expiration")
        statuses = {str(s).lower() for s in body.get("status", [])}
        if "pending delete" in statuses or "redemption period" in statuses or (
                expires_on is not None and expires_on < datetime.now(UTC).date()):
            status = RegistryStatus.EXPIRED
        else:
            status = RegistryStatus.ACTIVE
        nameservers = tuple(str(ns.get("ldhName", "")).lower().rstrip(".") for ns in body.get("nameservers", [])
                            if isinstance(ns, dict) and ns.get("ldhName"))
        return DomainState(name=name, status=status, order_id=str(body.get("handle") or name), expires_on=expires_on,
                           nameservers=nameservers, locked=False)

    async def register(self, request: DomainRequest) -> DomainState:
        """Done in TAD by staff; confirmed here: the registry shows the name."""
        state = await self.state(request.name)
        if state.status is RegistryStatus.ABSENT:
            raise RegistrarError(f"{request.name}: NIC Argentina does not show it registered yet (TAD step pending "
                                 "or not yet published)")
        return state

    async def transfer_in(self, request: DomainRequest) -> DomainState:
        raise RegistrarError(f"{request.name}: {NO_EPP}")

    async def renew(self, name: str, *, years: int, expires_on: date) -> DomainState:
        """Done in TAD by staff; confirmed here: the registry's expiry moved past the one we renewed from."""
        state = await self.state(name)
        if state.expires_on is None or state.expires_on <= expires_on:
            raise RegistrarError(f"{name}: NIC Argentina still shows expiry {state.expires_on} (renewal from "
                                 f"{expires_on} not seen yet)")
        return state

    async def set_nameservers(self, name: str, nameservers: tuple[str, ...]) -> None:
        """Done in TAD by staff (a delegation); confirmed here: the registry lists those name servers."""
        state = await self.state(name)
        if sorted(state.nameservers) != sorted(ns.lower() for ns in nameservers):
            raise RegistrarError(f"{name}: NIC Argentina delegates to {', '.join(state.nameservers) or 'nothing'}, "
                                 f"not yet to {', '.join(nameservers)}")

    async def get_contact(self, name: str) -> Contact | None:
        return None  # RDAP withholds the holder's data

    async def set_contact(self, name: str, contact: Contact, *, customer_ref: str) -> None:
        """Done in TAD by staff: RDAP withholds the holder's data, so the completed task is what there is."""

    async def set_lock(self, name: str, locked: bool) -> None:
        raise RegistrarError(f"{name}: {NO_EPP}")

    async def epp_code(self, name: str) -> str:
        raise RegistrarError(f"{name}: {NO_EPP}")


def _event(body: dict[str, Any], action: str) -> date | None:
    for event in body.get("events", []):
        if isinstance(event, dict) and event.get("eventAction") == action and event.get("eventDate"):
            try:
                return datetime.fromisoformat(str(event["eventDate"]).replace("Z", "+00:00")).date()
            except ValueError:
                return None
    return None
