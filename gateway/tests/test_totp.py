"""#14 item 7: staff accounts enrol TOTP (codes from pyotp, as an authenticator app makes them), login asks for the
code once enrolled (each code once), hashed single-use recovery codes, and admins can require it of all staff."""

import time
from typing import Any

import pyotp

from abono.testing import wait_for


def login_body(email: str, password: str, code: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"email": email, "password": password}
    if code is not None:
        body["totp_code"] = code
    return body


def next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted for clock drift, and never used before in this test)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def problem_code(response: Any) -> str:
    return str(response.json()["type"]).rsplit("/", 1)[-1]


async def staff_account(api: Any) -> Any:
    account = await api.account()
    admin = api.bearer(await api.admin_token())
    promoted = await api.client.patch(f"/api/auth/users/{account.id}/role", headers=admin, json={"role": "staff"})
    assert promoted.status_code == 200, promoted.text
    return account


async def test_item7_staff_enrols_totp_and_login_asks_for_each_code_once(api: Any) -> None:
    client = await api.account()
    refused = await api.client.post("/api/auth/totp/setup", json=login_body(client.email, client.password))
    assert refused.status_code == 403  # staff accounts only
    staff = await staff_account(api)
    wrong_password = await api.client.post("/api/auth/totp/setup", json=login_body(staff.email, "not-it"))
    assert wrong_password.status_code == 401  # (each try counts under the login limits: 10 a minute per e-mail)
    setup = await api.client.post("/api/auth/totp/setup", json=login_body(staff.email, staff.password))
    assert setup.status_code == 201, setup.text
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/Abono:")
    sealed = await api.db.fetchval("SELECT secret_sealed FROM totp_credentials WHERE user_id = $1::uuid", staff.id)
    assert secret not in sealed  # sealed at rest

    without = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password))
    assert without.status_code == 401 and problem_code(without) == "totp-required"
    wrong = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password, "000000"))
    assert wrong.status_code == 401 and problem_code(wrong) == "totp-invalid"
    code = pyotp.TOTP(secret).now()
    logged = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password, code))
    assert logged.status_code == 200, logged.text
    replayed = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password, code))
    assert replayed.status_code == 401 and problem_code(replayed) == "totp-invalid"
    headers = api.bearer(logged.json()["access_token"])
    status = (await api.client.get("/api/auth/totp", headers=headers)).json()
    assert status == {"enrolled": True, "confirmed": True, "required": False, "recovery_codes_left": 0}

    codes = (await api.client.post("/api/auth/totp/recovery-codes", headers=headers)).json()["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = await api.db.fetch("SELECT code_hash FROM totp_recovery_codes WHERE user_id = $1::uuid", staff.id)
    assert len(stored) == 10 and all(c.encode() not in bytes(r["code_hash"]) for r in stored for c in codes)
    recovered = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password, codes[0]))
    assert recovered.status_code == 200, recovered.text
    again = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password, codes[0]))
    assert again.status_code == 401
    assert (await api.client.get("/api/auth/totp", headers=headers)).json()["recovery_codes_left"] == 9

    # A stolen password alone cannot put a new device in place of the confirmed one.
    replace = await api.client.post("/api/auth/totp/setup", json=login_body(staff.email, staff.password))
    assert replace.status_code == 401 and problem_code(replace) == "totp-required"
    off = await api.client.post("/api/auth/totp/disable", headers=headers, json={"code": next_code(secret)})
    assert off.status_code == 204
    assert await api.db.fetchval("SELECT count(*) FROM totp_credentials WHERE user_id = $1::uuid", staff.id) == 0
    actions = [
        r["action"]
        for r in await api.db.fetch("SELECT action FROM staff_audit WHERE actor_id = $1::uuid ORDER BY id", staff.id)
    ]
    assert actions == [
        "totp_secret_created",
        "totp_enabled",
        "totp_recovery_codes_created",
        "totp_recovery_code_used",
        "totp_disabled",
    ]


async def test_item7_admins_require_totp_of_every_staff_account_audited(api: Any) -> None:
    admin = api.bearer(await api.admin_token())  # before the policy: the test's admin has no second factor
    staff = await staff_account(api)
    client = await api.account()
    staff_headers = api.bearer((await api.login(staff.email))["access_token"])
    for who in (staff_headers, client.auth):
        forbidden = await api.client.put("/api/auth/security-policy", headers=who, json={"require_staff_totp": True})
        assert forbidden.status_code == 403
    assert (await api.client.get("/api/auth/security-policy", headers=client.auth)).status_code == 403
    assert (
        await api.client.put("/api/auth/security-policy", headers=admin, json={"require_staff_totp": "x"})
    ).status_code == 422
    try:
        on = await api.client.put("/api/auth/security-policy", headers=admin, json={"require_staff_totp": True})
        assert on.status_code == 200 and on.json()["require_staff_totp"] is True
        read = await api.client.get("/api/auth/security-policy", headers=staff_headers)
        assert read.json()["require_staff_totp"] is True

        blocked = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password))
        assert blocked.status_code == 403 and problem_code(blocked) == "totp-enrolment-required"
        assert (
            await api.client.post("/api/auth/login", json=login_body(client.email, client.password))
        ).status_code == 200  # clients are not concerned
        secret = (await api.client.post("/api/auth/totp/setup", json=login_body(staff.email, staff.password))).json()[
            "secret"
        ]
        logged = await api.client.post(
            "/api/auth/login", json=login_body(staff.email, staff.password, pyotp.TOTP(secret).now())
        )
        assert logged.status_code == 200, logged.text
        headers = api.bearer(logged.json()["access_token"])
        assert (await api.client.get("/api/auth/totp", headers=headers)).json()["required"] is True
        kept = await api.client.post("/api/auth/totp/disable", headers=headers, json={"code": next_code(secret)})
        assert kept.status_code == 409
    finally:
        off = await api.client.put("/api/auth/security-policy", headers=admin, json={"require_staff_totp": False})
        assert off.status_code == 200
    audit = await api.db.fetch("SELECT details FROM staff_audit WHERE action = 'security_policy_set' ORDER BY id")
    assert (
        '"require_staff_totp": true' in audit[-2]["details"] and '"require_staff_totp": false' in audit[-1]["details"]
    )


async def test_item7_an_admin_resets_a_staff_members_totp_audited_and_it_enrols_again(api: Any) -> None:
    admin = api.bearer(await api.admin_token())
    staff = await staff_account(api)
    client = await api.account()
    staff_headers = api.bearer((await api.login(staff.email))["access_token"])
    secret = (await api.client.post("/api/auth/totp/setup", json=login_body(staff.email, staff.password))).json()[
        "secret"
    ]
    members = (await api.client.get("/api/auth/staff/members", headers=admin)).json()
    assert next(m for m in members if m["id"] == str(staff.id))["totp"] is True
    for who in (staff_headers, client.auth):  # admins only
        refused = await api.client.post(f"/api/auth/users/{staff.id}/totp/reset", headers=who)
        assert refused.status_code == 403
    not_staff = await api.client.post(f"/api/auth/users/{client.id}/totp/reset", headers=admin)
    assert not_staff.status_code == 404
    still = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password))
    assert still.status_code == 401 and problem_code(still) == "totp-required"  # the refusals changed nothing

    reset = await api.client.post(f"/api/auth/users/{staff.id}/totp/reset", headers=admin)
    assert reset.status_code == 204, reset.text
    assert await api.db.fetchval("SELECT count(*) FROM totp_credentials WHERE user_id = $1::uuid", staff.id) == 0
    again = await api.client.post(f"/api/auth/users/{staff.id}/totp/reset", headers=admin)
    assert again.status_code == 409  # nothing left to reset
    logged = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password))
    assert logged.status_code == 200, logged.text  # policy off: the password alone, until it enrols again
    old = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password, next_code(secret)))
    assert old.status_code == 200  # the lost phone's code is simply not asked for (and not checked) any more
    members = (await api.client.get("/api/auth/staff/members", headers=admin)).json()
    assert next(m for m in members if m["id"] == str(staff.id))["totp"] is False
    audit = await api.db.fetchrow(
        "SELECT actor_id, details FROM staff_audit WHERE action = 'totp_reset' ORDER BY id DESC"
    )
    assert str(staff.id) in audit["details"]


async def test_item7_an_admin_resetting_totp_ends_every_session_of_that_staff_member(api: Any) -> None:
    """Like a password change: the refresh tokens a lost phone's holder may have are revoked, whole families."""
    admin_session = await api.admin_session()
    admin = api.bearer(admin_session["access_token"])
    staff = await staff_account(api)
    secret = (await api.client.post("/api/auth/totp/setup", json=login_body(staff.email, staff.password))).json()[
        "secret"
    ]
    logged = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password, next_code(secret)))
    assert logged.status_code == 200, logged.text
    rotated = await api.client.post("/api/auth/refresh", json={"refresh_token": logged.json()["refresh_token"]})
    assert rotated.status_code == 200, rotated.text  # the session works, and its family has a used token now

    reset = await api.client.post(f"/api/auth/users/{staff.id}/totp/reset", headers=admin)
    assert reset.status_code == 204, reset.text
    for token in (rotated.json()["refresh_token"], staff.refresh_token):  # the new device's and the first login's
        refused = await api.client.post("/api/auth/refresh", json={"refresh_token": token})
        assert refused.status_code == 401, refused.text
    left = "SELECT count(*) FROM refresh_tokens WHERE user_id = $1::uuid AND revoked_at IS NULL"
    assert await api.db.fetchval(left, staff.id) == 0
    # The access token issued before the reset is refused too (SessionsEnded → abono.revocation), not honoured
    # until it expires.
    stolen = api.bearer(rotated.json()["access_token"])

    async def access_refused() -> bool:
        return (await api.client.get("/api/auth/me", headers=stolen)).status_code == 401

    await wait_for(access_refused, what="the staff member's access token to be refused after the reset")
    kept = await api.client.post("/api/auth/refresh", json={"refresh_token": admin_session["refresh_token"]})
    assert kept.status_code == 200, kept.text  # the admin's own session is not touched
    fresh = await api.client.post("/api/auth/login", json=login_body(staff.email, staff.password))
    assert fresh.status_code == 200, fresh.text  # signing in again works: the password alone until it enrols again
