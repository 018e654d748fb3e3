"""A local ResellerClub (LogicBoxes HTTP API) for tests and the development sandbox: the same paths, parameters
and JSON answers as `https://test.httpapi.com/api/`, an in-memory registry, every call recorded. Never configured
in production. `today` is the registry's calendar (tests move it); `expire`/`delete` play the registry's part."""

import argparse
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class FakeResellerClub:
    auth_userid: str = "123456"
    api_key: str = "fake-api-key"
    taken: set[str] = field(default_factory=lambda: {"google.com", "tomado.com"})  # registered elsewhere
    transfer_codes: dict[str, str] = field(default_factory=dict)  # name registered elsewhere -> its auth code
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # order id -> order
    customers: dict[str, dict[str, str]] = field(default_factory=dict)  # customer id -> fields
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)  # contact id -> fields
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_next: int = 0  # the next N calls answer HTTP 503
    fail_paths: dict[str, int] = field(default_factory=dict)  # path -> next N calls to it answer HTTP 503
    today: Callable[[], date] = field(default=lambda: datetime.now(UTC).date())
    _ids: Any = field(default_factory=lambda: itertools.count(70_000_001))

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/{path:path}", self._handle, methods=["GET", "POST"])])

    # --- what tests look at and do --------------------------------------------------------------------------------
    def calls_of(self, path: str, **match: str) -> list[dict[str, Any]]:
        return [p for f, p in self.calls if f == path and all(p.get(k) == v for k, v in match.items())]

    def order(self, name: str) -> dict[str, Any] | None:
        return next((o for o in self.orders.values() if o["domainname"] == name), None)

    def expire(self, name: str) -> None:
        """The registry's expiry passed unrenewed: the order is restorable for a while."""
        order = self.order(name)
        assert order is not None
        order["currentstatus"] = "Pending Delete Restorable"

    def delete(self, name: str) -> None:
        order = self.order(name)
        assert order is not None
        order["currentstatus"] = "Deleted"

    def complete_transfer(self, name: str) -> None:
        order = self.order(name)
        assert order is not None
        order["currentstatus"] = "Active"

    # --- the protocol ---------------------------------------------------------------------------------------------
    async def _handle(self, request: Request) -> Response:
        params: dict[str, Any] = {}
        for key, value in request.query_params.multi_items():
            if key in ("ns", "tlds", "tld-only"):
                params.setdefault(key, []).append(value)
            else:
                params[key] = value
        if params.pop("auth-userid", None) != self.auth_userid or params.pop("api-key", None) != self.api_key:
            return _error("Invalid auth-userid or api-key", 401)
        path = request.path_params["path"]
        self.calls.append((path, params))
        if self.fail_next > 0 or self.fail_paths.get(path, 0) > 0:
            if self.fail_paths.get(path, 0) > 0:
                self.fail_paths[path] -= 1
            else:
                self.fail_next -= 1
            return PlainTextResponse("Service Temporarily Unavailable", status_code=503)
        writes = {"domains/register.json", "domains/transfer.json", "domains/renew.json", "domains/modify-ns.json",
                  "domains/modify-contact.json", "domains/enable-theft-protection.json",
                  "domains/disable-theft-protection.json", "customers/v2/signup.json", "contacts/add.json"}
        if (request.method == "POST") != (path in writes):
            return _error(f"Use {'POST' if path in writes else 'GET'} for {path}", 405)
        handler = getattr(self, "_" + path.removesuffix(".json").replace("/", "_").replace("-", "_"), None)
        if handler is None:
            return _error(f"Unknown API {path}", 404)
        try:
            result: Response = handler(params)
        except KeyError as missing:
            return _error(f"Required parameter missing: {missing.args[0]}")
        return result

    def _domains_available(self, p: dict[str, Any]) -> Response:
        label = p["domain-name"]
        return JSONResponse({f"{label}.{tld}": {"classkey": f"dot{tld.replace('.', '')}",
                                                "status": self._availability(f"{label}.{tld}")}
                             for tld in p.get("tlds", [])})

    def _domains_v5_suggest_names(self, p: dict[str, Any]) -> Response:
        keyword = p["keyword"]
        names = [f"{prefix}{keyword}{suffix}.{tld}" for tld in p.get("tld-only", ["com"])
                 for prefix, suffix in (("", "online"), ("mi", ""), ("", "web"), ("", "ar"))]
        return JSONResponse({n: {"status": self._availability(n), "in_ga": False, "score": 0.8} for n in names})

    def _availability(self, name: str) -> str:
        if self.order(name) is not None and self.order(name)["currentstatus"] != "Deleted":  # type: ignore[index]
            return "regthroughus"
        return "regthroughothers" if name in self.taken else "available"

    def _domains_orderid(self, p: dict[str, Any]) -> Response:
        order = self.order(p["domain-name"])
        if order is None:
            return _error(f"Website doesn't exist for {p['domain-name']}")
        return JSONResponse(int(order["orderid"]))

    def _domains_details(self, p: dict[str, Any]) -> Response:
        order = self.orders.get(p["order-id"])
        if order is None:
            return _error(f"No Entity found for Entityid: {p['order-id']}")
        body = {k: v for k, v in order.items() if k != "ns"}
        for i, ns in enumerate(order["ns"], start=1):
            body[f"ns{i}"] = ns
        body["noOfNameServers"] = str(len(order["ns"]))
        contact = self.contacts.get(order["registrantcontactid"], {})
        body["registrantcontact"] = {"name": contact.get("name"), "emailaddr": contact.get("email"),
                                     "address1": contact.get("address-line-1"), "city": contact.get("city"),
                                     "country": contact.get("country"), "zip": contact.get("zipcode"),
                                     "telnocc": contact.get("phone-cc"), "telno": contact.get("phone"),
                                     "company": contact.get("company"), "state": contact.get("state")}
        return JSONResponse(body)

    def _domains_register(self, p: dict[str, Any]) -> Response:
        name = p["domain-name"]
        if self._availability(name) != "available":
            return _error(f"Domain {name} is not available for registration")
        return self._new_order(p, name, years=int(p["years"]), status="Active", action="AddNewDomain")

    def _domains_transfer(self, p: dict[str, Any]) -> Response:
        name = p["domain-name"]
        if self.order(name) is not None:
            return _error(f"{name} is already in your account")
        if self.transfer_codes.get(name) != p["auth-code"]:
            return _error("Invalid Domain Secret / Auth Code")
        return self._new_order(p, name, years=1, status="InActive", action="AddTransferDomain")

    def _new_order(self, p: dict[str, Any], name: str, *, years: int, status: str, action: str) -> Response:
        if p["customer-id"] not in self.customers:
            return _error(f"Customer {p['customer-id']} not found")
        for role in ("reg-contact-id", "admin-contact-id", "tech-contact-id", "billing-contact-id"):
            if p[role] not in self.contacts:
                return _error(f"Invalid {role}")
        order_id = str(next(self._ids))
        self.orders[order_id] = {
            "orderid": order_id, "entityid": order_id, "domainname": name, "description": name,
            "currentstatus": status, "orderstatus": [], "domainstatus": [], "customerid": p["customer-id"],
            "creationtime": str(_epoch(self.today())), "endtime": str(_epoch(_add_years(self.today(), years))),
            "registrantcontactid": p["reg-contact-id"], "admincontactid": p["admin-contact-id"],
            "techcontactid": p["tech-contact-id"], "billingcontactid": p["billing-contact-id"],
            "domsecret": secrets.token_urlsafe(9), "ns": list(p.get("ns") or ["dns1.registrar.test"]),
            "recurring": "false", "productkey": "domcno",
        }
        return JSONResponse({"entityid": order_id, "description": name, "actiontype": action,
                             "actiontypedesc": f"{action} {name}", "actionstatus": "Success",
                             "actionstatusdesc": "Order completed successfully", "status": "Success",
                             "eaqid": str(next(self._ids))})

    def _domains_renew(self, p: dict[str, Any]) -> Response:
        order = self.orders.get(p["order-id"])
        if order is None or order["currentstatus"] == "Deleted":
            return _error(f"No Entity found for Entityid: {p['order-id']}")
        if p["exp-date"] != order["endtime"]:
            return _error("Expiry date does not match the current expiry date of the order")
        current = datetime.fromtimestamp(int(order["endtime"]), UTC).date()
        order["endtime"] = str(_epoch(_add_years(current, int(p["years"]))))
        order["currentstatus"] = "Active"
        return JSONResponse({"entityid": order["orderid"], "actiontype": "RenewDomain", "status": "Success",
                             "actionstatus": "Success", "description": order["domainname"]})

    def _domains_modify_ns(self, p: dict[str, Any]) -> Response:
        return self._change(p, ns=list(p.get("ns") or []))

    def _domains_modify_contact(self, p: dict[str, Any]) -> Response:
        if p["reg-contact-id"] not in self.contacts:
            return _error("Invalid reg-contact-id")
        return self._change(p, registrantcontactid=p["reg-contact-id"])

    def _domains_enable_theft_protection(self, p: dict[str, Any]) -> Response:
        return self._change(p, orderstatus=["transferlock"])

    def _domains_disable_theft_protection(self, p: dict[str, Any]) -> Response:
        return self._change(p, orderstatus=[])

    def _change(self, p: dict[str, Any], **changes: Any) -> Response:
        order = self.orders.get(p["order-id"])
        if order is None:
            return _error(f"No Entity found for Entityid: {p['order-id']}")
        order.update(changes)
        return JSONResponse({"entityid": order["orderid"], "status": "Success", "actionstatus": "Success"})

    def _customers_details(self, p: dict[str, Any]) -> Response:
        for customer_id, fields in self.customers.items():
            if fields["username"] == p["username"]:
                return JSONResponse({"customerid": customer_id, "username": fields["username"],
                                     "name": fields["name"]})
        return _error(f"Customer [{p['username']}] not found")

    def _customers_v2_signup(self, p: dict[str, Any]) -> Response:
        if any(c["username"] == p["username"] for c in self.customers.values()):
            return _error(f"{p['username']} is already a Customer")
        customer_id = str(next(self._ids))
        self.customers[customer_id] = {k: p[k] for k in ("username", "name", "country", "zipcode")}
        return JSONResponse(int(customer_id))

    def _contacts_add(self, p: dict[str, Any]) -> Response:
        if p["customer-id"] not in self.customers:
            return _error(f"Customer {p['customer-id']} not found")
        contact_id = str(next(self._ids))
        self.contacts[contact_id] = {k: p.get(k, "") for k in (
            "name", "company", "email", "address-line-1", "city", "state", "country", "zipcode", "phone-cc",
            "phone", "customer-id")}
        return JSONResponse(int(contact_id))


def _error(message: str, status: int = 500) -> JSONResponse:
    return JSONResponse({"status": "ERROR", "message": message}, status_code=status)


def main() -> None:
    """The development sandbox's registrar: `python -m provisioning.registrar_fake --port 8090`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    uvicorn.run(FakeResellerClub().app(), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
