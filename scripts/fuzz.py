"""Schemathesis over the merged OpenAPI document of a running platform (issue 11 item 8), as a client and as staff.

Every operation of `<gateway>/openapi.json` gets generated requests (schemathesis' positive data, a fixed seed),
each sent with a client's token and with a staff token, and every answer is checked: no 5xx, a status the
operation declares, a declared content type, a body that matches the declared schema.

    make run                     # in another terminal (GATEWAY_ADMIN_EMAIL/PASSWORD set: the staff token)
    make fuzz                    # = python scripts/fuzz.py --examples 25
    python scripts/fuzz.py --gateway http://127.0.0.1:8000 --examples 5 --only /api/billing

Operations that would change the platform for everyone, or never end, are left out: the test clock (`/api/test/`),
the live stream (`/api/stream`), and the caller's own sign-out everywhere. `tests/test_i11_fuzz.py` runs a bounded
pass (few examples per operation) in `make test` against the end-to-end platform.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import checks
from schemathesis.core.failures import FailureGroup

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
SKIPPED_PREFIXES = ("/api/test/", "/api/stream")
SKIPPED = {("POST", "/api/auth/sessions/revoke-all"), ("DELETE", "/api/auth/session")}
# Writes that change the whole installation's behaviour (dunning days, discounts, templates, holidays, the staff
# 2FA policy). `make fuzz` sends them too; the bounded run inside `make test` leaves them out, because the other
# end-to-end tests share its platform and would then run under random settings.
PLATFORM_SETTINGS_WRITES = frozenset(
    {
        ("PUT", "/api/auth/security-policy"),
        ("PUT", "/api/billing/staff/settings/discounts"),
        ("PUT", "/api/billing/staff/settings/dunning"),
        ("PUT", "/api/billing/staff/settings/payments"),
        ("PUT", "/api/billing/staff/settings/seller"),
        ("PUT", "/api/billing/staff/settings/transfers"),
        ("DELETE", "/api/billing/staff/settings/{key}"),
        ("PUT", "/api/notify/staff/templates/{kind}/{language}"),
        ("DELETE", "/api/notify/staff/templates/{kind}/{language}"),
        ("PUT", "/api/support/calendar/overrides/{day}"),
        ("DELETE", "/api/support/calendar/overrides/{day}"),
    }
)
CLIENT_PASSWORD = "fuzzing phrase of unrelated words"


@dataclass
class Report:
    runs: int = 0
    failures: list[str] = field(default_factory=list)


def _wanted(method: str, path: str, only: str | None, skipped: frozenset[tuple[str, str]]) -> bool:
    if path.startswith(SKIPPED_PREFIXES) or (method.upper(), path) in SKIPPED | skipped:
        return False
    return only is None or path.startswith(only)


def fuzz(
    gateway: str,
    roles: dict[str, dict[str, str]],
    *,
    examples: int = 3,
    seed: int = 11,
    only: str | None = None,
    skipped: frozenset[tuple[str, str]] = frozenset(),
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Run every wanted operation with each role's headers; the failures, one line each."""
    schema = schemathesis.openapi.from_dict(merged_document(gateway))
    report = Report()
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not _wanted(operation.method, operation.path, only, skipped):
            continue
        for role, headers in roles.items():
            report.runs += 1
            try:
                _run(operation, gateway, session, headers, examples=examples, seed=seed)
            except (AssertionError, FailureGroup, requests.RequestException) as exc:  # one line per operation, role
                report.failures.append(f"{role} {operation.label}: {_summary(exc)}")
            if progress:
                progress(f"{role:6} {operation.label}")
    return report


def merged_document(gateway: str, *, within: float = 60.0) -> dict[str, Any]:
    """The gateway's merged document once every service is in it (a service still starting is left out)."""
    deadline = time.monotonic() + within
    while True:
        document: dict[str, Any] = requests.get(f"{gateway}/openapi.json", timeout=30).json()
        missing = [name for name, state in document["info"]["x-abono-services"].items() if state != "included"]
        if not missing:
            return document
        if time.monotonic() > deadline:
            raise RuntimeError(f"the merged OpenAPI document still lacks {missing}")
        time.sleep(1)


def _run(operation: object, gateway: str, session: requests.Session, headers: dict[str, str], **bounds: int) -> None:
    @hypothesis.seed(bounds["seed"])
    @hypothesis.settings(
        max_examples=bounds["examples"],
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, in bounded time
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis.given(case=operation.as_strategy())  # type: ignore[attr-defined]
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=gateway, session=session, headers=headers, checks=CHECKS, timeout=30)

    check()


def _summary(exc: BaseException) -> str:
    parts = [str(exc)] + [str(sub) for sub in getattr(exc, "exceptions", ())]
    text = " | ".join(line.strip() for part in parts for line in part.splitlines() if line.strip())
    return text[:900]


def client_headers(gateway: str, http: requests.Session | None = None) -> dict[str, str]:
    """Sign up a fresh client and log it in: its bearer header."""
    http = http or requests.Session()
    email = f"fuzz-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": CLIENT_PASSWORD, "name": "Fuzz Tester", "country": "AR"}
    response = http.post(f"{gateway}/api/auth/signup", json=body, timeout=30)
    response.raise_for_status()
    return login_headers(gateway, email, CLIENT_PASSWORD, http)


def login_headers(gateway: str, email: str, password: str, http: requests.Session | None = None) -> dict[str, str]:
    response = (http or requests.Session()).post(
        f"{gateway}/api/auth/login", json={"email": email, "password": password}, timeout=30
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def main(argv: Iterable[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway", default=os.environ.get("ABONO_GATEWAY_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--examples", type=int, default=25, help="generated requests per operation and role")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", help="only paths under this prefix, e.g. /api/billing")
    args = parser.parse_args(list(argv))
    roles = {"client": client_headers(args.gateway)}
    admin_email, admin_password = os.environ.get("GATEWAY_ADMIN_EMAIL"), os.environ.get("GATEWAY_ADMIN_PASSWORD")
    if admin_email and admin_password:
        roles["staff"] = login_headers(args.gateway, admin_email, admin_password)
    else:
        print("fuzz: GATEWAY_ADMIN_EMAIL/GATEWAY_ADMIN_PASSWORD unset: client token only", file=sys.stderr)
    report = fuzz(args.gateway, roles, examples=args.examples, seed=args.seed, only=args.only, progress=print)
    for failure in report.failures:
        print(f"FAIL {failure}")
    print(f"fuzz: {report.runs} operation runs, {len(report.failures)} failed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
