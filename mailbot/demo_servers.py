"""The demo's embedded mail server: it takes what the bot sends and delivers mail to the bot into
a local Maildir, stamped as a receiving server would."""

from __future__ import annotations

import mailbox
import socket
from dataclasses import dataclass, field
from typing import Any

from mailbot.core.trust import stamp

DEMO_PASSWORD = "demo-only"


@dataclass
class Delivery:
    """What the embedded SMTP server does with each email."""

    bot: str
    maildir: mailbox.Maildir
    authserv_id: str  # the receiving server's name in Authentication-Results, as configured
    outbox: list[tuple[str, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data: bytes = envelope.original_content or envelope.content
        for rcpt in envelope.rcpt_tos:
            if rcpt.lower() == self.bot:
                # As the bot's real receiving server would, so the bot checks senders here too.
                self.maildir.add(stamp(data, self.authserv_id, envelope.mail_from))
            else:
                self.outbox.append((rcpt, data))
        return "250 OK"


class _Auth:
    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == DEMO_PASSWORD
        return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
