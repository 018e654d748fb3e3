"""Issue #6 end to end: a client signs up at the gateway; notify, fed by the gateway's outbox over the broker,
mails the welcome and the verification link to the SMTP server; the tracked link goes through the gateway, counts
the click and leads to the panel, where the token verifies the e-mail; the panel inbox has the welcome."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx

from abono.testing import wait_for

if TYPE_CHECKING:
    from conftest import MailSink, Platform

PASSWORD = "una-clave-bien-larga"


async def test_n2_signup_mails_welcome_and_verification_link_through_the_gateway(
    gateway: httpx.AsyncClient, platform: Platform, mail_sink: MailSink, admin_headers: dict[str, str]
) -> None:
    email = f"lucia-{uuid.uuid4().hex[:8]}@example.test"
    signup = await gateway.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "Lucía",
                                                         "country": "AR"})
    assert signup.status_code == 202, signup.text
    client_id = await platform.client_id(gateway, await platform.login(gateway, email, PASSWORD))
    # Issue 11: signing up again with the address answers the same and mails its owner instead.
    again = await gateway.post("/api/auth/signup", json={"email": email.upper(), "password": "otra clave 12345",
                                                        "name": "Otra", "country": "AR"})
    assert (again.status_code, again.json()["next_step"]) == (202, "check_email")

    async def three_mails() -> bool:
        return len(mail_sink.to(email)) >= 3

    await wait_for(three_mails, what="the welcome, verification and account-exists e-mails")
    mails = {m["Subject"]: m for m in mail_sink.to(email)}
    assert "Bienvenido/a a Abono" in mails and "Usted ya tiene una cuenta en Abono" in mails
    verification = mails["Confirme su e-mail en Abono"]
    text = verification.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https?://\S+", text)
    # The link is a tracking link on the gateway's public URL, never the raw token.
    tracked = [u for u in links if u.startswith(f"{platform.gateway_url}/api/notify/t/c/")]
    assert tracked, text
    html = verification.get_body(preferencelist=("html",)).get_content()
    pixel = re.search(r'<img src="([^"]+)"', html)
    assert pixel and pixel.group(1).startswith(f"{platform.gateway_url}/api/notify/t/o/")

    async with httpx.AsyncClient(timeout=10) as browser:
        assert (await browser.get(pixel.group(1))).headers["content-type"] == "image/gif"
        targets = [(await browser.get(u)).headers.get("location", "") for u in tracked]
    verify_url = next(t for t in targets if "/verify-email?" in t)
    token = parse_qs(urlsplit(verify_url).query)["token"][0]
    verified = await gateway.post("/api/auth/verify-email", json={"token": token})
    assert verified.status_code == 200, verified.text

    headers = await platform.login(gateway, email, PASSWORD)
    inbox = (await gateway.get("/api/notify/inbox", headers=headers)).json()
    assert [m["kind"] for m in inbox["items"]] == ["welcome"] and inbox["unread"] == 1
    proof = (await gateway.get(f"/api/notify/staff/clients/{client_id}/messages", headers=admin_headers)).json()
    sent = next(m for m in proof if m["kind"] == "email_verification")
    assert sent["status"] == "sent" and sent["open_count"] == 1
    assert any(link["click_count"] == 1 and "/verify-email?" in link["url"] for link in sent["links"])
