"""Reused SMTP connections (issue 20 item 3): up to `connections` open at once, each sending one mail after another.

Connecting, (STARTTLS,) EHLO and AUTH once per connection instead of once per mail is most of the gain: a renewal
run's hundreds of thousands of invoices become as many MAIL/RCPT/DATA exchanges on a handful of connections.

Dropped connections: relays close a connection they kept idle too long or that sent its quota of mails. A reused
connection found closed during the envelope (MAIL, RCPT: nothing of the mail has reached the server) is replaced
and the mail sent on the new one, once. A connection lost during DATA is ambiguous (the server may have queued the
mail before the reply was lost): it is never resent here, the failure goes to the sender, which retries it later
with the same Message-ID (at least once, as before). A reply refusing the mail leaves the connection usable (RSET).
"""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import aiosmtplib
from aiosmtplib.email import flatten_message

from notify.config import NotifySettings


class SmtpPool:
    def __init__(self, settings: NotifySettings, *, connections: int) -> None:
        self.settings = settings
        self.connections = connections
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[aiosmtplib.SMTP] = []
        self.opened = 0  # connections opened since the start (the metrics and the tests read it)
        self.replaced = 0  # of which: opened again after the server had closed a reused one
        self.in_use = 0

    async def _open(self) -> aiosmtplib.SMTP:
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            use_tls=s.smtp_implicit_tls, start_tls=s.smtp_starttls, validate_certs=s.smtp_validate_certs,
            cert_bundle=str(s.smtp_ca_file) if s.smtp_ca_file else None, timeout=s.smtp_timeout_seconds,
        )
        await smtp.connect()
        if smtp.last_ehlo_response is None:
            await smtp.ehlo()  # its extensions decide the encoding below
        self.opened += 1
        return smtp

    async def send(self, mail: EmailMessage, *, sender: str, recipient: str) -> None:
        """Send one mail on a pooled connection. Raises aiosmtplib's errors (or OSError) as `aiosmtplib.send` does."""
        async with self._slots:
            self.in_use += 1
            smtp = self._idle.pop() if self._idle else None
            try:
                if smtp is None or not smtp.is_connected:
                    smtp = await self._open()
                    await self._envelope(smtp, sender, recipient)
                else:
                    try:
                        await self._envelope(smtp, sender, recipient)
                    except ConnectionError:
                        # Closed by the server while we kept it: nothing of this mail was sent on it.
                        smtp.close()
                        smtp = await self._open()
                        self.replaced += 1
                        await self._envelope(smtp, sender, recipient)
                await self._data(smtp, mail, sender, recipient)
            except aiosmtplib.SMTPResponseException:
                raise  # refused by a reply: the connection stays usable (the envelope was reset)
            except BaseException:
                if smtp is not None:
                    smtp.close()  # timed out, lost or cancelled mid-exchange: its state is unknown
                    smtp = None
                raise
            finally:
                self.in_use -= 1
                if smtp is not None and smtp.is_connected:
                    self._idle.append(smtp)

    @staticmethod
    def _utf8(sender: str, recipient: str) -> bool:
        return not (sender + recipient).isascii()

    async def _envelope(self, smtp: aiosmtplib.SMTP, sender: str, recipient: str) -> None:
        utf8 = self._utf8(sender, recipient)
        options = ["SMTPUTF8"] if utf8 else []
        if smtp.supports_extension("8bitmime"):
            options.append("BODY=8BITMIME")
        encoding = "utf-8" if utf8 else "ascii"
        try:
            await smtp.mail(sender, options=options, encoding=encoding)
            await smtp.rcpt(recipient, encoding=encoding)
        except aiosmtplib.SMTPResponseException:
            await self._reset(smtp)
            raise

    async def _data(self, smtp: aiosmtplib.SMTP, mail: EmailMessage, sender: str, recipient: str) -> None:
        data = flatten_message(mail, utf8=self._utf8(sender, recipient),
                               cte_type="8bit" if smtp.supports_extension("8bitmime") else "7bit")
        try:
            await smtp.data(data)
        except aiosmtplib.SMTPResponseException:
            await self._reset(smtp)
            raise

    @staticmethod
    async def _reset(smtp: aiosmtplib.SMTP) -> None:
        try:
            await smtp.rset()
        except (ConnectionError, aiosmtplib.SMTPException):
            smtp.close()

    async def close(self) -> None:
        """QUIT every idle connection (on shutdown)."""
        idle, self._idle = self._idle, []
        for smtp in idle:
            try:
                await smtp.quit()
            except (ConnectionError, aiosmtplib.SMTPException):
                smtp.close()
