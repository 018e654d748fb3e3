"""Issue 13 item 2 end to end: a panel session in a browser (cookie + CSRF), and a forgotten password reset from
the mailed link: notify mails `<panel>/reset-password?token=...` (through the tracked link), the token sets the
new password and every session ends, the browser's too."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx

from abono.testing import wait_for

if TYPE_CHECKING:
    from conftest import MailSink, Platform

PASSWORD, NEW_PASSWORD = "una-clave-bien-larga", "otra-clave-mas-larga"


async def test_password_reset_from_the_mailed_link_ends_the_browser_session(
    gateway: httpx.AsyncClient, platform: Platform, mail_sink: MailSink
) -> None:
    email = f"olvido-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Olga",
                                                         "country": "AR", "language": "en"})
    assert signup.status_code == 202, signup.text
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=10) as browser:
        opened = await browser.post("/api/auth/session", json={"email": email, "password": PASSWORD})
        assert opened.status_code == 200, opened.text
        csrf = {"X-CSRF-Token": browser.cookies["abono_csrf"]}
        assert (await browser.post("/api/auth/session/refresh", headers=csrf)).status_code == 200

        assert (await gateway.post("/api/auth/password-reset", json={"email": email})).status_code == 202

        async def reset_mail() -> bool:
            return any(m["Subject"] == "Reset your password at Abono" for m in mail_sink.to(email))

        await wait_for(reset_mail, what="the password-reset e-mail")
        mail = next(m for m in mail_sink.to(email) if m["Subject"] == "Reset your password at Abono")
        text = mail.get_body(preferencelist=("plain",)).get_content()
        tracked = [u for u in re.findall(r"https?://\S+", text) if "/api/notify/t/c/" in u]
        async with httpx.AsyncClient(timeout=10) as mailbox:
            targets = [(await mailbox.get(u)).headers.get("location", "") for u in tracked]
        link = next(t for t in targets if "/reset-password?" in t)
        assert link.startswith(f"{platform.gateway_url}/reset-password?token=")  # the panel's route
        token = parse_qs(urlsplit(link).query)["token"][0]

        done = await gateway.post(
            "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
        )
        assert done.status_code == 204, done.text
        assert (await browser.post("/api/auth/session/refresh", headers=csrf)).status_code == 401
    await platform.login(gateway, email, NEW_PASSWORD)

    # Every other mail kind points at the panel's routes too: the verification link at /verify-email.
    verification = next(m for m in mail_sink.to(email) if m["Subject"] == "Confirm your e-mail at Abono")
    text = verification.get_body(preferencelist=("plain",)).get_content()
    tracked = [u for u in re.findall(r"https?://\S+", text) if "/api/notify/t/c/" in u]
    async with httpx.AsyncClient(timeout=10) as mailbox:
        targets = [(await mailbox.get(u)).headers.get("location", "") for u in tracked]
    assert any(t.startswith(f"{platform.gateway_url}/verify-email?token=") for t in targets), targets
