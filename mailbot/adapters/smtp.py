"""SMTP with aiosmtplib: one connection per batch, the stored bytes sent unchanged.

Sending the stored bytes (not re-flattening a message object) means what was
written to the outbox is exactly what leaves, Message-ID included. Errors are
sorted as the RFCs do: 4xx and lost connections are worth retrying, 5xx are
not (RFC 5321 §4.2.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Sequence

import aiosmtplib

from mailbot.adapters.signin import TokenSource, explain_refusal, password
from mailbot.adapters.tls import tls_context
from mailbot.config import ServerSettings
from mailbot.core.ports import AfterSend, OutboxRow
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

    async def send(self, rows: Sequence[OutboxRow], after: AfterSend | None = None,
                   ) -> list[SendError | None]:
        """Send each row; ``after`` hears each outcome as soon as it is known, and has
        recorded it before the next email can be delivered (a crash then leaves at most the
        one email in flight unrecorded). The next email's envelope (MAIL, RCPT) goes while
        it records: a server delivers nothing before the end of DATA."""
        told = _Outcomes(after)
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
                await told.tell(row, SendError(str(error), permanent=False))
            await told.settled()
            return told.results
        try:
            for n, row in enumerate(rows):
                if not await self._send_one(client, row, told):
                    for rest in rows[n + 1:]:
                        await told.tell(rest, SendError("not tried: connection lost", permanent=False))
                    break
        finally:
            try:
                await told.settled()
            finally:
                await hang_up(client)
        return told.results

    async def _send_one(self, client: aiosmtplib.SMTP, row: OutboxRow, told: _Outcomes) -> bool:
        """Send one row and tell its outcome; False when the connection is gone.

        All of the email but the line that ends it goes while the one before is recorded: a
        server delivers nothing until that line (RFC 5321 §4.1.1.4), and a connection lost
        before it is an email it discards. Only once the email before is recorded does the
        end go, so a crash leaves at most one email delivered and not recorded."""
        try:
            refused = await self._envelope(client, row)
            await _all_but_the_end(client, row.raw)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return await _failed(client, row, exc, told)
        try:
            await told.settled()
        except BaseException:
            await hang_up(client, drop=True)  # never QUIT: it would be read as a line of this email
            raise
        try:
            await _the_end(client)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return await _failed(client, row, exc, told)
        if refused:
            # Partial refusals do not raise: they come back per recipient.
            bad = ", ".join(f"{e.recipient}: {e.code} {e.message}" for e in refused)
            await told.tell(row, SendError(f"some recipients refused: {bad}", permanent=True, partial=True))
        else:
            await told.tell(row, None)
        return True

    async def _envelope(self, client: aiosmtplib.SMTP, row: OutboxRow
                        ) -> list[aiosmtplib.SMTPRecipientRefused]:
        """MAIL and RCPT, as ``aiosmtplib.SMTP.sendmail`` sends them; the recipients refused
        one by one (all of them raise, as they do there)."""
        options = [f"size={len(row.raw)}"] if client.supports_extension("size") else []
        await client.mail(self.sender, options=options)
        refused = []
        for address in row.recipients:
            try:
                await client.rcpt(address)
            except aiosmtplib.SMTPRecipientRefused as exc:
                refused.append(exc)
        if len(refused) == len(row.recipients):
            raise aiosmtplib.SMTPRecipientsRefused(refused)
        return refused


_LINE_ENDS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


async def _all_but_the_end(client: aiosmtplib.SMTP, raw: bytes) -> None:
    """DATA, then the email's lines, CRLF-ended and dot-stuffed as ``aiosmtplib`` sends
    them (RFC 5321 §4.5.2), without the lone dot that ends them."""
    response = await client.execute_command(b"DATA")
    if response.code != 354:
        raise aiosmtplib.SMTPDataError(response.code, response.message)
    assert client.protocol is not None  # execute_command raised otherwise
    client.protocol.write(_as_data(raw))


def _as_data(raw: bytes) -> bytes:
    """``raw`` as DATA lines. What the bot writes has CRLF line ends and no line that starts
    with a dot already (a dot leading a text line is written =2E), and two plain searches
    say so for a tenth of what the two substitutions cost over a whole letter."""
    crlf = raw.count(b"\r\n")
    ready = raw.count(b"\n") == crlf == raw.count(b"\r") and not raw.startswith(b".") and b"\n." not in raw
    lines = raw if ready else _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", raw))
    return lines if lines.endswith(b"\r\n") else lines + b"\r\n"


async def _the_end(client: aiosmtplib.SMTP) -> None:
    """The line that ends the email, and the server's answer: it has the email, or not."""
    protocol = client.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    protocol.write(b".\r\n")
    try:
        response = await protocol.read_response(timeout=client.timeout)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
        client.close()  # as aiosmtplib's own DATA does: the session is out of step
        raise
    if response.code != 250:
        raise aiosmtplib.SMTPDataError(response.code, response.message)


class _Outcomes:
    """The outcomes of one batch, told to ``after`` one at a time and in order. Telling one
    runs on while the next email's envelope goes; ``settled`` waits until it is recorded,
    before any DATA and before the batch ends."""

    def __init__(self, after: AfterSend | None) -> None:
        self.after = after
        self.results: list[SendError | None] = []
        self._telling: asyncio.Future[None] | None = None

    async def settled(self) -> None:
        telling, self._telling = self._telling, None
        if telling is not None:
            await telling

    async def tell(self, row: OutboxRow, error: SendError | None) -> None:
        await self.settled()
        self.results.append(error)
        if self.after is not None:
            self._telling = asyncio.ensure_future(self.after(row, error))


async def _failed(client: aiosmtplib.SMTP, row: OutboxRow, exc: Exception, told: _Outcomes) -> bool:
    """Tell why one email did not go; False when the connection went with it. After a
    refusal, RSET starts the next email's envelope afresh (as ``sendmail`` does)."""
    lost = isinstance(exc, (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError))
    if not lost:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.rset()  # a connection lost now is found by the next email
    await told.tell(row, _classify(exc))
    return not lost


async def hang_up(client: aiosmtplib.SMTP, *, drop: bool = False) -> None:
    """QUIT (so the server closes first), else drop the socket; then wait until the
    connection is really gone, as a TLS shutdown outlives the call that starts it.

    ``drop``: in the middle of an email, cut the connection at once, with no QUIT and no TLS
    goodbye, which a server busy reading the email may never answer."""
    protocol = client.protocol
    if drop and protocol is not None and isinstance(protocol.transport, asyncio.WriteTransport):
        protocol.transport.abort()
    if client.is_connected and not drop:
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
