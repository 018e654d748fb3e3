"""Issue 13 item 5: the development mail catcher keeps what notify sends over SMTP and shows it with its links
clickable (so a verification link can be followed without a mailbox), and as JSON for browser tests."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import httpx

from abono.testing import free_port, serve
from notify.mailcatcher import MailCatcher


async def test_caught_mail_is_listed_with_its_links_clickable() -> None:
    catcher = MailCatcher(keep=2)
    port = free_port()
    server = await catcher.serve_smtp("127.0.0.1", port)
    try:
        for n in range(3):
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = "Abono <no-reply@abono.test>", "ana@example.test", f"Hola {n}"
            mail.set_content(f"Confirme aquí:\nhttp://127.0.0.1:8000/verify-email?token=t{n}&x=<b>\n")
            mail.add_alternative(f'<p><a href="http://127.0.0.1:8000/verify-email?token=t{n}">ok</a></p>',
                                 subtype="html")
            await aiosmtplib.send(mail, hostname="127.0.0.1", port=port)
    finally:
        server.close()
    async with serve(catcher.web()) as url, httpx.AsyncClient(base_url=url) as http:
        listing = await http.get("/")
        assert listing.status_code == 200
        assert "Hola 2" in listing.text and "Hola 1" in listing.text and "Hola 0" not in listing.text  # keeps 2
        caught = (await http.get("/messages.json", params={"to": "ANA@example.test"})).json()
        assert [m["subject"] for m in caught] == ["Hola 2", "Hola 1"]
        assert caught[0]["links"] == ["http://127.0.0.1:8000/verify-email?token=t2&x="]
        page = await http.get(f"/messages/{caught[0]['id']}")
        assert '<a href="http://127.0.0.1:8000/verify-email?token=t2&amp;x=">' in page.text
        assert "&lt;b&gt;" in page.text and "<b>" not in page.text.split("<pre>")[1].split("</pre>")[0]
        assert 'sandbox="allow-popups' in page.text  # the HTML part is shown inert
        assert (await http.get("/messages/999")).status_code == 404
        assert (await http.get("/readyz")).status_code == 200
