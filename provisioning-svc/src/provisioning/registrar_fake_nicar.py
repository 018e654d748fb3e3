"""A local NIC Argentina for tests and the sandbox: its public RDAP service (RFC 9082/9083, `GET /domain/{name}`,
`application/rdap+json`, 404 for a name it does not hold) over real HTTP, from an in-memory registry.

NIC Argentina has no registrar API: what staff do in its TAD platform (register, renew, delegate) is, here, a method
a test calls or, in the sandbox, `POST /tad/{register|renew|delegate|delete}` with `{"name", "years"?, "nameservers"?}`,
so an operator trying `make run` can play the TAD step before completing the staff task.

    .venv/bin/python -m provisioning.registrar_fake_nicar --port 8091
"""

import argparse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

RDAP = "application/rdap+json"


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class FakeNicArgentina:
    # name -> {"expires_on": date, "registered_on": date, "nameservers": [...], "status": [...]}
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)
    fail_next: int = 0  # the next N lookups answer HTTP 503

    def __post_init__(self) -> None:
        if not self.domains:  # registered by others, for the sandbox's searches
            for name in ("google.com.ar", "tomado.com.ar"):
                self.register(name, nameservers=("ns1.google.com", "ns2.google.com"))

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/domain/{name}", self._domain, methods=["GET"]),
            Route("/tad/{step}", self._tad, methods=["POST"]),
        ])

    # --- what staff do in TAD (tests call these; the sandbox posts to /tad/...) ---------------------------------
    def register(self, name: str, *, years: int = 1, nameservers: tuple[str, ...] = (),
                 today: date | None = None) -> None:
        day = today or datetime.now(UTC).date()
        self.domains[name] = {"registered_on": day, "expires_on": _plus_years(day, years),
                              "nameservers": list(nameservers), "status": ["active"]}

    def renew(self, name: str, *, years: int = 1) -> None:
        self.domains[name]["expires_on"] = _plus_years(self.domains[name]["expires_on"], years)

    def delegate(self, name: str, nameservers: tuple[str, ...]) -> None:
        self.domains[name]["nameservers"] = list(nameservers)

    def delete(self, name: str) -> None:
        self.domains.pop(name, None)

    # --- the protocol -------------------------------------------------------------------------------------------
    async def _domain(self, request: Request) -> Response:
        name = request.path_params["name"].lower().rstrip(".")
        self.lookups.append(name)
        if self.fail_next > 0:
            self.fail_next -= 1
            return Response("Service Temporarily Unavailable", status_code=503)
        domain = self.domains.get(name)
        if domain is None:
            return JSONResponse({"rdapConformance": ["rdap_level_0"], "errorCode": 404, "title": "Not Found",
                                 "description": [f"{name} is not registered"]}, status_code=404, media_type=RDAP)
        return JSONResponse({
            "rdapConformance": ["rdap_level_0"], "objectClassName": "domain", "handle": name.replace(".", "-").upper(),
            "ldhName": name, "status": domain["status"],
            "events": [{"eventAction": "registration", "eventDate": f"{domain['registered_on']}T00:00:00Z"},
                       {"eventAction": "expiration", "eventDate": f"{domain['expires_on']}T00:00:00Z"}],
            "nameservers": [{"objectClassName": "nameserver", "ldhName": ns} for ns in domain["nameservers"]],
        }, media_type=RDAP)

    async def _tad(self, request: Request) -> Response:
        body = await request.json()
        name, step = str(body.get("name", "")).lower(), request.path_params["step"]
        if step == "register":
            self.register(name, years=int(body.get("years", 1)), nameservers=tuple(body.get("nameservers", ())))
        elif name not in self.domains:
            return JSONResponse({"error": f"{name} is not registered"}, status_code=404)
        elif step == "renew":
            self.renew(name, years=int(body.get("years", 1)))
        elif step == "delegate":
            self.delegate(name, tuple(body.get("nameservers", ())))
        elif step == "delete":
            self.delete(name)
        else:
            return JSONResponse({"error": f"unknown step {step}"}, status_code=404)
        return JSONResponse({"name": name, "done": step})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    args = parser.parse_args()
    uvicorn.run(FakeNicArgentina().app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
