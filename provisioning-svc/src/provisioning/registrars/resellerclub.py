"""ResellerClub / LogicBoxes HTTP API (`https://httpapi.com/api/`, test: `https://test.httpapi.com/api/`).

Every request carries `auth-userid` and `api-key` as query parameters; reads are GET, changes POST (parameters in
the query string, repeated for lists such as `ns` and `tlds`); answers are JSON, a refusal is
`{"status": "ERROR", "message": "..."}`. Idempotency (P-4), checked against the registrar before acting again:
- register / transfer: `domains/orderid.json` first: an order for the name in our account means it is done;
- renew: `exp-date` carries the expiry we renew from; if the registry's expiry is already past it, it is done;
- name servers, contacts, lock: setting what is already set is harmless.
"""

import secrets
from datetime import UTC, date, datetime
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr

from provisioning.registrars.base import (
    Availability,
    Contact,
    DomainRequest,
    DomainState,
    RegistrarError,
    RegistryStatus,
    Suggestion,
)

TAKEN = {"regthroughus", "regthroughothers"}
# `currentstatus` of an order: InActive, Active, Suspended, Pending Delete Restorable, Deleted, Archived.
STATUSES = {"active": RegistryStatus.ACTIVE, "suspended": RegistryStatus.EXPIRED,
            "pending delete restorable": RegistryStatus.EXPIRED, "deleted": RegistryStatus.DELETED,
            "archived": RegistryStatus.DELETED, "inactive": RegistryStatus.PENDING_TRANSFER}
NO_ORDER = ("doesn't exist", "does not exist", "not found", "no entity")


class ResellerClubSettings(BaseModel):
    url: str = "https://test.httpapi.com/api"
    auth_userid: str
    api_key: SecretStr
    invoice_option: str = "NoInvoice"  # we invoice the client ourselves (billing-svc)
    timeout_seconds: float = 30.0


class ResellerClub:
    def __init__(self, settings: ResellerClubSettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http

    # --- reads ---------------------------------------------------------------------------------------------------
    async def check(self, label: str, tlds: list[str]) -> dict[str, Availability]:
        body = await self._get("domains/available.json", [("domain-name", label), *(("tlds", t) for t in tlds)])
        found: dict[str, Availability] = {}
        for tld in tlds:
            name = f"{label}.{tld}"
            status = str((body.get(name) or {}).get("status", "")).lower()
            found[name] = (Availability.AVAILABLE if status == "available"
                           else Availability.TAKEN if status in TAKEN else Availability.UNKNOWN)
        return found

    async def suggest(self, keyword: str, tlds: list[str], limit: int) -> list[Suggestion]:
        params = [("keyword", keyword), ("exact-match", "false"), *(("tld-only", t) for t in tlds)]
        body = await self._get("domains/v5/suggest-names.json", params)
        suggestions = []
        for name, info in body.items():
            if isinstance(info, dict) and str(info.get("status", "")).lower() == "available":
                suggestions.append(Suggestion(name=name.lower(), availability=Availability.AVAILABLE))
        return suggestions[:limit]

    async def state(self, name: str) -> DomainState:
        order_id = await self._order_id(name)
        if order_id is None:
            return DomainState(name=name, status=RegistryStatus.ABSENT)
        details = await self._get("domains/details.json", [("order-id", order_id), ("options", "All")])
        return _state(name, order_id, details)

    async def epp_code(self, name: str) -> str:
        details = await self._details(name)
        code = details.get("domsecret")
        if not code:
            raise RegistrarError(f"{name}: the registrar gave no auth code")
        return str(code)

    async def get_contact(self, name: str) -> Contact | None:
        details = await self._details(name)
        contact = details.get("registrantcontact")
        if not isinstance(contact, dict):
            return None
        return Contact(name=str(contact.get("name", "")), email=str(contact.get("emailaddr", "")),
                       address=str(contact.get("address1", "")), city=str(contact.get("city", "")),
                       country=str(contact.get("country", "")), postal_code=str(contact.get("zip", "")),
                       phone_cc=str(contact.get("telnocc", "")), phone=str(contact.get("telno", "")),
                       company=str(contact.get("company", "")), state=str(contact.get("state", "")))

    # --- changes -------------------------------------------------------------------------------------------------
    async def register(self, request: DomainRequest) -> DomainState:
        return await self._order(request, "domains/register.json",
                                 [("years", str(request.years)), *(("ns", ns) for ns in request.nameservers)])

    async def transfer_in(self, request: DomainRequest) -> DomainState:
        if not request.epp_code:
            raise RegistrarError(f"{request.name}: a transfer needs the EPP (auth) code")
        return await self._order(request, "domains/transfer.json", [("auth-code", request.epp_code),
                                                                    *(("ns", ns) for ns in request.nameservers)])

    async def renew(self, name: str, *, years: int, expires_on: date) -> DomainState:
        before = await self.state(name)
        if before.order_id is None:
            raise RegistrarError(f"{name}: no such domain in the registrar account")
        if before.expires_on is not None and before.expires_on > expires_on:
            return before  # this renewal already took effect (a retry after the answer was lost)
        current = before.expires_on or expires_on
        epoch = int(datetime(current.year, current.month, current.day, tzinfo=UTC).timestamp())
        await self._post("domains/renew.json", [
            ("order-id", before.order_id), ("years", str(years)), ("exp-date", str(epoch)),
            ("auto-renew", "false"), ("invoice-option", self.settings.invoice_option)])
        return await self.state(name)

    async def set_nameservers(self, name: str, nameservers: tuple[str, ...]) -> None:
        order_id = await self._require_order(name)
        await self._post("domains/modify-ns.json", [("order-id", order_id), *(("ns", ns) for ns in nameservers)])

    async def set_contact(self, name: str, contact: Contact, *, customer_ref: str) -> None:
        order_id = await self._require_order(name)
        customer_id = await self._customer(contact)
        contact_id = await self._contact(contact, customer_id)
        await self._post("domains/modify-contact.json", [
            ("order-id", order_id), ("reg-contact-id", contact_id), ("admin-contact-id", contact_id),
            ("tech-contact-id", contact_id), ("billing-contact-id", contact_id)])

    async def set_lock(self, name: str, locked: bool) -> None:
        order_id = await self._require_order(name)
        path = "domains/enable-theft-protection.json" if locked else "domains/disable-theft-protection.json"
        await self._post(path, [("order-id", order_id)])

    # --- helpers -------------------------------------------------------------------------------------------------
    async def _order(self, request: DomainRequest, path: str, extra: list[tuple[str, str]]) -> DomainState:
        if await self._order_id(request.name) is None:
            customer_id = await self._customer(request.contact)
            contact_id = await self._contact(request.contact, customer_id)
            await self._post(path, [
                ("domain-name", request.name), ("customer-id", customer_id), ("reg-contact-id", contact_id),
                ("admin-contact-id", contact_id), ("tech-contact-id", contact_id),
                ("billing-contact-id", contact_id), ("invoice-option", self.settings.invoice_option),
                ("protect-privacy", "false"), *extra])
        return await self.state(request.name)

    async def _customer(self, contact: Contact) -> str:
        """The registrar customer the client's domains belong to (its e-mail is the username), made once."""
        try:
            found = await self._get("customers/details.json", [("username", contact.email)])
            if found.get("customerid"):
                return str(found["customerid"])
        except RegistrarError as exc:
            if "not found" not in str(exc).lower() and "invalid" not in str(exc).lower():
                raise
        answer = await self._post("customers/v2/signup.json", [
            ("username", contact.email), ("passwd", secrets.token_urlsafe(12) + "aA1!"), *_address(contact),
            ("lang-pref", contact.language)])
        return _scalar(answer)

    async def _contact(self, contact: Contact, customer_id: str) -> str:
        answer = await self._post("contacts/add.json", [
            ("email", contact.email), *_address(contact), ("customer-id", customer_id), ("type", "Contact")])
        return _scalar(answer)

    async def _order_id(self, name: str) -> str | None:
        try:
            answer = await self._get("domains/orderid.json", [("domain-name", name)])
        except RegistrarError as exc:
            if any(m in str(exc).lower() for m in NO_ORDER):
                return None
            raise
        return _scalar(answer)

    async def _require_order(self, name: str) -> str:
        order_id = await self._order_id(name)
        if order_id is None:
            raise RegistrarError(f"{name}: no such domain in the registrar account")
        return order_id

    async def _details(self, name: str) -> dict[str, Any]:
        order_id = await self._require_order(name)
        details = await self._get("domains/details.json", [("order-id", order_id), ("options", "All")])
        if not isinstance(details, dict):
            raise RegistrarError(f"{name}: unexpected details {details!r:.200}")
        return details

    async def _get(self, path: str, params: list[tuple[str, str]]) -> Any:
        return await self._request("GET", path, params)

    async def _post(self, path: str, params: list[tuple[str, str]]) -> Any:
        return await self._request("POST", path, params)

    async def _request(self, method: str, path: str, params: list[tuple[str, str]]) -> Any:
        auth: list[tuple[str, str | int | float | bool | None]] = [
            ("auth-userid", self.settings.auth_userid), ("api-key", self.settings.api_key.get_secret_value())]
        url = f"{self.settings.url.rstrip('/')}/{path}"
        try:
            response = await self.http.request(method, url, params=[*auth, *params],
                                               timeout=self.settings.timeout_seconds)
        except httpx.HTTPError as exc:
            raise RegistrarError(f"{path}: {exc!r}") from exc
        try:
            body = response.json()
        except ValueError:
            raise RegistrarError(f"{path}: HTTP {response.status_code} {response.text[:200]}") from None
        if isinstance(body, dict) and str(body.get("status", "")).lower() == "error":
            raise RegistrarError(f"{path}: {body.get('message') or 'refused'}")
        if not response.is_success:
            raise RegistrarError(f"{path}: HTTP {response.status_code} {response.text[:200]}")
        return body


def _address(contact: Contact) -> list[tuple[str, str]]:
    return [("name", contact.name), ("company", contact.company or contact.name),
            ("address-line-1", contact.address), ("city", contact.city), ("state", contact.state or contact.city),
            ("country", contact.country), ("zipcode", contact.postal_code), ("phone-cc", contact.phone_cc),
            ("phone", contact.phone)]


def _scalar(answer: Any) -> str:
    """An id the API answers as a bare number (or a one-field object)."""
    if isinstance(answer, (int, str)) and str(answer).strip():
        return str(answer).strip()
    if isinstance(answer, dict) and answer.get("entityid"):
        return str(answer["entityid"])
    raise RegistrarError(f"unexpected answer {answer!r:.200}")


def _state(name: str, order_id: str, details: dict[str, Any]) -> DomainState:
    status = STATUSES.get(str(details.get("currentstatus", "")).lower(), RegistryStatus.ACTIVE)
    expires_on = None
    if details.get("endtime"):
        expires_on = datetime.fromtimestamp(int(details["endtime"]), UTC).date()
    count = int(details.get("noOfNameServers") or 0)
    nameservers = tuple(str(details[f"ns{i}"]) for i in range(1, max(count, 13) + 1) if details.get(f"ns{i}"))
    locked = "transferlock" in [str(s).lower() for s in details.get("orderstatus") or []]
    return DomainState(name=name, status=status, order_id=order_id, expires_on=expires_on,
                       nameservers=nameservers, locked=locked)
