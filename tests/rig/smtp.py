"""An aiosmtpd SMTP server for tests: STARTTLS and AUTH required, delivery to Dovecot by LMTP."""

from __future__ import annotations

import base64
import binascii
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from imapclient import IMAPClient

from mailbot.core.trust import stamp
from tests.rig.dovecot import free_port
from tests.rig.received import AUTHSERV_ID


@dataclass
class Stored:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None


@dataclass
class Handler:
    lmtp_port: int | None
    local: dict[str, str] = field(default_factory=dict)  # addresses with a Dovecot mailbox
    messages: list[Stored] = field(default_factory=list)
    refuse: str | None = None  # an SMTP reply to give to every DATA, e.g. "451 try later"
    # Recipients to refuse at RCPT TO, with the reply, e.g. {"a@b.example": "550 5.1.1 no such user"}.
    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    # False: EHLO offers no AUTH, as a server set up for another kind of sign-in (or none) does.
    offer_auth: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    # As Exchange Online does: keep a copy of each submission in the sender's Sent folder,
    # before answering 250 (set to an IMAP port and folder name to turn on).
    sent_copy: tuple[int, str] | None = None
    # A slow server: each DATA is held this long before it is logged, delivered and copied to
    # Sent, even if the client has gone meanwhile (the submission was complete). ``holding``
    # is set as each hold begins.
    slow: float = 0.0
    holding: threading.Event = field(default_factory=threading.Event)
    imap: dict[str, IMAPClient] = field(default_factory=dict)
    # Bearer tokens the test's identity platform issued: address -> the one valid token.
    tokens: dict[str, str] = field(default_factory=dict)
    xoauth2_logins: list[str] = field(default_factory=list)
    # The name this server writes in its Authentication-Results header (RFC 8601 authserv-id).
    authserv_id: str = AUTHSERV_ID

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        """SASL XOAUTH2 as Exchange Online answers it: 235 or 535 5.7.3, no JSON challenge."""
        refused = AuthResult(success=False, handled=False, message="535 5.7.3 Authentication unsuccessful")
        if len(args) < 2:
            return refused
        try:
            fields = base64.b64decode(args[1], validate=True).decode().split("\x01")
        except (binascii.Error, UnicodeDecodeError):
            return refused
        user = next((f[5:] for f in fields if f.startswith("user=")), "")
        token = next((f[12:] for f in fields if f.startswith("auth=Bearer ")), "")
        if not user or not token or self.tokens.get(user) != token:
            return refused
        self.xoauth2_logins.append(user)
        return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname  # a handler that answers EHLO must record the name itself
        return [r for r in responses if self.offer_auth or not r.startswith("250-AUTH")]

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse
        if self.slow:
            self.holding.set()
            time.sleep(self.slow)  # blocking: the client hanging up cannot cut it short
        data = envelope.original_content or envelope.content
        login = session.auth_data.login.decode() if session.auth_data else None
        with self.lock:
            self.messages.append(Stored(envelope.mail_from, list(envelope.rcpt_tos), data, login))
        local = [r for r in envelope.rcpt_tos if r in self.local]
        if self.lmtp_port and local:
            # As a receiving server does on arrival: DMARC passes when the From domain is the
            # envelope sender's, so a test spoofs by sending with another MAIL FROM.
            self._deliver(envelope.mail_from, local, stamp(data, self.authserv_id, envelope.mail_from))
        if self.sent_copy and login in self.local:
            self._keep_sent_copy(login, data)
        return "250 Message accepted for delivery"

    def _deliver(self, sender: str, local: list[str], data: bytes) -> None:
        """Into Dovecot by LMTP; while Dovecot restarts, wait as a real MTA's queue would."""
        for _ in range(100):
            try:
                with smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=10) as lmtp:
                    lmtp.sendmail(sender, local, data)
                return
            except (OSError, smtplib.SMTPException):
                time.sleep(0.1)
        raise RuntimeError("Dovecot's LMTP did not come back within 10 s")

    def _keep_sent_copy(self, login: str, data: bytes) -> None:
        port, folder = self.sent_copy or (0, "")
        imap = self.imap.get(login)
        if imap is None:
            imap = self.imap[login] = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=10)
            imap.login(login, self.local[login])
            if not imap.folder_exists(folder):
                imap.create_folder(folder)
        imap.append(folder, data)

    def close(self) -> None:
        for imap in self.imap.values():
            imap.logout()
        self.imap.clear()


class Authenticator:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = self.users.get(auth_data.login.decode()) == auth_data.password.decode()
        # handled=False, or a failed login gets no reply at all and the client hangs
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class SMTPServer:
    def __init__(self, users: dict[str, str], certfile: str, keyfile: str, lmtp_port: int | None) -> None:
        self.handler = Handler(lmtp_port, users)
        self.handler_users = users
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(certfile, keyfile)
        self.users = users
        self.port = free_port()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[Stored]:
        return self.handler.messages

    def start(self) -> SMTPServer:
        """Start (or start again after stop, on the same port)."""
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname="smtp.test",
            tls_context=self.tls, require_starttls=True, authenticator=Authenticator(self.users),
            auth_required=True, auth_require_tls=True)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        self.handler.close()
