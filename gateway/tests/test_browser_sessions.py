"""Issue 13 item 2: browser sessions. The refresh token lives in an HttpOnly cookie scoped to the refresh path,
CSRF (double submit) guards the cookie-using calls, rotation and reuse detection are those of the JSON refresh,
and logout everywhere revokes every session of the account."""

from __future__ import annotations

import asyncio

import httpx
import pytest

PASSWORD = "correct horse battery"


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name (the raw header, attributes included)."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


@pytest.fixture
async def browser(gateway_url: str):
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as http:
        yield http


async def _open(api, browser: httpx.AsyncClient) -> tuple[dict, httpx.Response]:
    user = await api.sign_up()
    response = await browser.post("/api/auth/session", json={"email": user["email"], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return user, response


def _csrf(browser: httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRF-Token": browser.cookies["abono_csrf"]}


def _other_browser(gateway_url: str, refresh: str, csrf: str) -> httpx.AsyncClient:
    """A second browser holding these two cookies (copied, stolen...)."""
    http = httpx.AsyncClient(base_url=gateway_url, timeout=10)
    http.cookies.set("abono_refresh", refresh, domain="127.0.0.1", path="/api/auth/session")
    http.cookies.set("abono_csrf", csrf, domain="127.0.0.1", path="/")
    return http


async def test_session_login_sets_an_httponly_refresh_cookie_and_a_readable_csrf_cookie(api, browser):
    user, response = await _open(api, browser)
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}  # no refresh token a script could read
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    assert response.headers["cache-control"] == "no-store"
    cookies = _set_cookies(response)
    refresh, csrf = cookies["abono_refresh"].lower(), cookies["abono_csrf"].lower()
    assert "httponly" in refresh and "samesite=strict" in refresh and "path=/api/auth/session" in refresh
    assert "httponly" not in csrf and "samesite=strict" in csrf and "path=/;" in csrf + ";"
    assert "secure" not in refresh  # environment "test": plain http://127.0.0.1
    me = await browser.get("/api/auth/me", headers=api.bearer(body["access_token"]))
    assert me.json()["id"] == user["id"]


async def test_session_refresh_rotates_the_cookie_and_needs_the_csrf_header(api, browser, gateway_url):
    await _open(api, browser)
    first_cookie, csrf = browser.cookies["abono_refresh"], browser.cookies["abono_csrf"]

    async with _other_browser(gateway_url, first_cookie, csrf) as forged:
        missing = await forged.post("/api/auth/session/refresh")
    async with _other_browser(gateway_url, first_cookie, csrf) as forged:
        wrong = await forged.post("/api/auth/session/refresh", headers={"X-CSRF-Token": "forged-by-another-site"})
    assert missing.status_code == wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    assert "max-age=0" in _set_cookies(wrong)["abono_refresh"].lower()  # the page drops a dead session

    refreshed = await browser.post("/api/auth/session/refresh", headers=_csrf(browser))
    assert refreshed.status_code == 200, refreshed.text
    assert set(refreshed.json()) == {"access_token", "token_type", "expires_in"}
    assert browser.cookies["abono_refresh"] != first_cookie
    assert (await browser.get("/api/auth/me", headers=api.bearer(refreshed.json()["access_token"]))).status_code == 200


async def _rotated_long_ago(api, user_id: str) -> None:
    """The used tokens of the account were rotated a minute ago: past the two-tabs grace."""
    await api.db.execute(
        "UPDATE refresh_tokens SET used_at = used_at - interval '1 minute' "
        "WHERE user_id = $1::uuid AND used_at IS NOT NULL",
        user_id,
    )


async def test_session_cookie_replayed_after_rotation_revokes_the_family(api, browser, gateway_url):
    user, _ = await _open(api, browser)
    stolen, csrf = browser.cookies["abono_refresh"], browser.cookies["abono_csrf"]
    assert (await browser.post("/api/auth/session/refresh", headers=_csrf(browser))).status_code == 200
    await _rotated_long_ago(api, user["id"])

    async with _other_browser(gateway_url, stolen, csrf) as thief:
        replay = await thief.post("/api/auth/session/refresh", headers={"X-CSRF-Token": csrf})
    assert replay.status_code == 401
    # RFC 9700 reuse detection: the legitimate browser's current cookie is dead too.
    assert (await browser.post("/api/auth/session/refresh", headers=_csrf(browser))).status_code == 401


async def test_two_tabs_refreshing_at_once_both_stay_signed_in(api, browser, gateway_url):
    """Two tabs share the cookie: the second refresh presents the token the first just rotated. Within the grace
    (GATEWAY_REFRESH_REUSE_GRACE_SECONDS) it gets a sibling, not a revoked session."""
    user, _ = await _open(api, browser)
    cookie, csrf = browser.cookies["abono_refresh"], browser.cookies["abono_csrf"]
    async with _other_browser(gateway_url, cookie, csrf) as tab_a, _other_browser(gateway_url, cookie, csrf) as tab_b:
        both = await asyncio.gather(
            tab_a.post("/api/auth/session/refresh", headers={"X-CSRF-Token": csrf}),
            tab_b.post("/api/auth/session/refresh", headers={"X-CSRF-Token": csrf}),
        )
        assert [r.status_code for r in both] == [200, 200], [r.text for r in both]
        # One more tab, a moment later, with the cookie as it was: still the grace.
        late = await browser.post("/api/auth/session/refresh", headers=_csrf(browser))
        assert late.status_code == 200, late.text
        for tab in (tab_a, tab_b):
            assert tab.cookies["abono_refresh"] != cookie
            again = await tab.post("/api/auth/session/refresh", headers={"X-CSRF-Token": csrf})
            assert again.status_code == 200, again.text  # each tab's new cookie is alive
    revoked = await api.db.fetchval(
        "SELECT count(*) FROM refresh_tokens WHERE user_id = $1::uuid AND revoked_at IS NOT NULL", user["id"]
    )
    assert revoked == 0

    # The same first cookie presented once the grace is over: a real reuse, the whole session ends.
    await _rotated_long_ago(api, user["id"])
    async with _other_browser(gateway_url, cookie, csrf) as thief:
        assert (await thief.post("/api/auth/session/refresh", headers={"X-CSRF-Token": csrf})).status_code == 401
    assert (await browser.post("/api/auth/session/refresh", headers=_csrf(browser))).status_code == 401


async def test_session_logout_revokes_that_session_only_and_clears_the_cookies(api, browser, gateway_url):
    user, _ = await _open(api, browser)
    other = await api.login(user["email"])
    cookie, csrf = browser.cookies["abono_refresh"], browser.cookies["abono_csrf"]
    async with _other_browser(gateway_url, cookie, csrf) as forged:
        assert (await forged.delete("/api/auth/session")).status_code == 401  # no CSRF header: nothing ends
    out = await browser.delete("/api/auth/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    cleared = _set_cookies(out)
    assert 'abono_refresh=""' in cleared["abono_refresh"] and "max-age=0" in cleared["abono_refresh"].lower()
    assert "abono_refresh" not in browser.cookies

    async with _other_browser(gateway_url, cookie, csrf) as old:
        assert (await old.post("/api/auth/session/refresh", headers={"X-CSRF-Token": csrf})).status_code == 401
    again = await api.client.post("/api/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert again.status_code == 200  # the other device's session goes on


async def test_revoke_all_logs_out_every_device(api, browser):
    user, opened = await _open(api, browser)
    phone = await api.login(user["email"])
    anon = await api.client.post("/api/auth/sessions/revoke-all")
    assert anon.status_code == 401
    done = await api.client.post(
        "/api/auth/sessions/revoke-all", headers=api.bearer(opened.json()["access_token"])
    )
    assert done.status_code == 204
    phone_refresh = await api.client.post("/api/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert phone_refresh.status_code == 401
    assert (await browser.post("/api/auth/session/refresh", headers=_csrf(browser))).status_code == 401


async def test_session_login_shares_the_json_login_rules(api, browser):
    user = await api.sign_up()
    wrong = await browser.post("/api/auth/session", json={"email": user["email"], "password": "not my password"})
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    await api.db.execute(
        "UPDATE users SET closed_at = now(), closed_reason = 'chargeback' WHERE id = $1::uuid", user["id"]
    )
    closed = await browser.post("/api/auth/session", json={"email": user["email"], "password": PASSWORD})
    assert closed.status_code == 403 and closed.json()["type"].endswith("/account-closed")
    assert "set-cookie" not in closed.headers
