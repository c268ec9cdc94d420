"""SMTP with aiosmtplib: one connection per batch, the stored bytes sent unchanged.

Sending the stored bytes (not re-flattening a message object) means what was
written to the outbox is exactly what leaves, Message-ID included. Errors are
sorted as the RFCs do: 4xx and lost connections are worth retrying, 5xx are
not (RFC 5321 §4.2.1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import aiosmtplib

from mailbot.adapters.signin import TokenSource, explain_refusal, password
from mailbot.adapters.tls import tls_context
from mailbot.config import ServerSettings
from mailbot.core.ports import OutboxRow
from mailbot.errors import SendError, SignInError


def _classify(exc: Exception, server: ServerSettings | None = None) -> SendError:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        permanent = bool(codes) and all(500 <= c < 600 for c in codes)
        return SendError(f"all recipients refused: {exc}", permanent=permanent)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        said = f"{exc.code} {exc.message}"
        return SendError(explain_refusal(server, "smtp", said) if server else f"SMTP login refused: {said}",
                         permanent=False)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return SendError(f"SMTP {exc.code}: {exc.message}", permanent=500 <= exc.code < 600)
    return SendError(f"SMTP unavailable: {exc}", permanent=False)


class SmtpPostman:
    """Sends outbox rows over one SMTP connection per batch."""

    def __init__(self, server: ServerSettings, sender: str, timeout: float | None = None,
                 tokens: TokenSource | None = None) -> None:
        self.server = server
        self.sender = sender
        self.timeout = timeout or server.timeout_seconds
        self.tokens = tokens

    async def _sign_in(self, client: aiosmtplib.SMTP) -> None:
        if self.server.auth != "oauth2-m365":
            await client.login(self.server.username, password(self.server))
            return
        if self.tokens is None:
            raise SendError("SMTP is set to oauth2-m365 but no [m365] app is configured")
        if not client.server_auth_methods:
            await client.ehlo()  # after STARTTLS the extensions are only known after a new EHLO
        if "xoauth2" not in client.server_auth_methods:
            raise SendError(f"{self.server.host} does not offer XOAUTH2 sign-in "
                            f"(it offers: {', '.join(client.server_auth_methods) or 'nothing'})")
        try:
            token = await asyncio.to_thread(self.tokens.token)  # msal blocks on the network
        except SignInError as exc:
            raise SendError(str(exc)) from exc
        await client.auth_xoauth2(self.server.username, token)

    def _client(self) -> aiosmtplib.SMTP:
        sec = self.server.security
        return aiosmtplib.SMTP(
            hostname=self.server.host, port=self.server.port, timeout=self.timeout,
            use_tls=sec == "tls", start_tls=sec == "starttls",
            tls_context=tls_context(self.server) if sec != "none" else None,
        )

    async def send(self, rows: Sequence[OutboxRow],
                   after: Callable[[OutboxRow, SendError | None], Awaitable[None]] | None = None,
                   ) -> list[SendError | None]:
        """Send each row; ``after`` hears each outcome as soon as it is known, so the
        caller can record it before the next email goes (a crash then leaves at most
        the one email in flight unrecorded)."""
        results: list[SendError | None] = []

        async def outcome(row: OutboxRow, error: SendError | None) -> None:
            results.append(error)
            if after is not None:
                await after(row, error)

        if self.server.auth == "password":
            password(self.server)  # a missing secret is a config error, before any connection
        client = self._client()
        try:
            await client.connect()
            # Logging in after connecting (not during) keeps a refused login on an open
            # session, which then ends with a proper QUIT instead of a dropped TLS socket.
            await self._sign_in(client)
        except (aiosmtplib.SMTPException, OSError, TimeoutError, SendError) as exc:
            await hang_up(client)
            error = exc if isinstance(exc, SendError) else _classify(exc, self.server)
            for row in rows:
                await outcome(row, SendError(str(error), permanent=False))
            return results
        try:
            for n, row in enumerate(rows):
                if not await self._send_one(client, row, outcome):
                    for rest in rows[n + 1:]:
                        await outcome(rest, SendError("not tried: connection lost", permanent=False))
                    break
        finally:
            await hang_up(client)
        return results

    async def _send_one(self, client: aiosmtplib.SMTP, row: OutboxRow,
                        outcome: Callable[[OutboxRow, SendError | None], Awaitable[None]]) -> bool:
        """Send one row and tell its outcome; False when the connection is gone."""
        try:
            # Partial refusals do not raise: they come back per recipient.
            refused, _ = await client.sendmail(self.sender, list(row.recipients), row.raw)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError) as exc:
            await outcome(row, _classify(exc))
            return False
        except aiosmtplib.SMTPException as exc:
            await outcome(row, _classify(exc))
            return True
        if refused:
            bad = ", ".join(f"{r}: {e.code} {e.message}" for r, e in refused.items())
            await outcome(row, SendError(f"some recipients refused: {bad}", permanent=True, partial=True))
        else:
            await outcome(row, None)
        return True


async def hang_up(client: aiosmtplib.SMTP) -> None:
    """QUIT (so the server closes first), else drop the socket; then wait until the
    connection is really gone, as a TLS shutdown outlives the call that starts it."""
    protocol = client.protocol
    if client.is_connected:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()
    else:
        client.close()
    deadline = asyncio.get_running_loop().time() + 2.0
    while protocol is not None and protocol.transport is not None \
            and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.005)
