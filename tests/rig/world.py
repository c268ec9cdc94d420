"""The Hillingdon example group living on the test servers, with an injected clock.

Partners send real email through the SMTP server (as themselves) and read
their real mailboxes over IMAP; the bot runs its real adapters against both.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import time
import tomllib
import uuid
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
from imapclient import IMAPClient

from mailbot.adapters.clock import SettableClock
from mailbot.adapters.db import Store, connect, upgrade
from mailbot.adapters.imap import ImapMailbox
from mailbot.adapters.smtp import SmtpPostman, hang_up
from mailbot.adapters.templates import renderer
from mailbot.config import Settings
from mailbot.loop import Runtime
from mailbot.services import Services
from tests.conftest import EXAMPLE_CONFIG
from tests.rig import database
from tests.rig.dovecot import DovecotServer
from tests.rig.smtp import SMTPServer

BOT_PASSWORD = "bot-secret"


def password_of(address: str) -> str:
    return "pw-" + address.split("@")[0]


def rig_config(dc: DovecotServer, smtp: SMTPServer, db_path: Path) -> dict[str, Any]:
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["imap"] = {"host": "127.0.0.1", "port": dc.imaps_port, "security": "tls",
                    "ca_file": str(dc.ca), "username": data["bot"]["address"],
                    "password_env": "MAILBOT_IMAP_PASSWORD", "timeout_seconds": 10, "poll_seconds": 2}
    data["smtp"] = {"host": "127.0.0.1", "port": smtp.port, "security": "starttls",
                    "ca_file": str(dc.ca), "username": data["bot"]["address"],
                    "password_env": "MAILBOT_SMTP_PASSWORD", "timeout_seconds": 10}
    data["database"] = {"url": database.url(db_path.parent, db_path.name)}
    return data


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def dump(data: dict[str, Any]) -> str:
    """Just enough TOML for the config (tables and arrays of tables)."""
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {toml_value(v) if not hasattr(v, 'isoformat') else v.isoformat()}"
                          for k, v in item.items()]
        lines.append("")
    return "\n".join(lines)


def world_for(dc: DovecotServer, smtp: SMTPServer, db_path: Path, start: datetime) -> World:
    """The example deployment on the rig's servers, its clock at ``start``."""
    from mailbot import config

    return World(dc, smtp, config.parse(rig_config(dc, smtp, db_path)), start)


class World:
    def __init__(self, dc: DovecotServer, smtp: SMTPServer, settings: Settings, start: datetime) -> None:
        self.dc = dc
        self.smtp = smtp
        self.settings = settings
        self.clock = SettableClock(start)
        for address in [settings.bot.address, *(a for p in settings.partners for a in p.emails)]:
            dc.add_user(address, BOT_PASSWORD if address == settings.bot.address else password_of(address))
            smtp.handler_users[address] = dc.users[address]
        engine = database.track(connect(settings.database_url))
        upgrade(engine)
        self.store = Store(engine)

    def runtime(self) -> Runtime:
        """A fresh bot process: new services, new connections, same database."""
        assert self.settings.imap and self.settings.smtp
        services = Services(self.settings, self.store, self.clock, renderer())
        return Runtime(services, ImapMailbox(self.settings.imap),
                       SmtpPostman(self.settings.smtp, self.settings.bot.address), poll_seconds=0.2)

    def step(self, when: datetime, runtime: Runtime | None = None) -> None:
        """One round of the bot (what is due, the mailbox, the outbox) at ``when``, by a fresh
        process unless ``runtime`` is given."""
        self.clock.set(when)
        rt = runtime or self.runtime()
        try:
            asyncio.run(rt.step())
        finally:
            rt.close()

    # -- acting as a partner --------------------------------------------------
    def reply(self, sender: str, body: str, *, subject: str = "RE: Case call",
              to: EmailMessage | None = None, extra: dict[str, str] | None = None,
              envelope: str | None = None) -> str:
        """Send as ``sender`` (the From header); ``envelope`` is another MAIL FROM, to spoof."""
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = self.settings.bot.address
        msg["Subject"] = subject
        mid = f"<{uuid.uuid4().hex}@partner.example>"
        msg["Message-ID"] = mid
        msg["Date"] = email.utils.format_datetime(self.clock.now())
        if to is not None:
            msg["In-Reply-To"] = to["Message-ID"]
            msg["References"] = to["Message-ID"]
        for k, v in (extra or {}).items():
            msg[k] = v
        msg.set_content(body)
        login = sender if sender in self.dc.users else self.settings.partners[0].emails[0]

        async def send() -> None:
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=self.smtp.port, start_tls=True,
                                     tls_context=ssl.create_default_context(cafile=str(self.dc.ca)))
            await client.connect()
            try:
                await client.login(login, self.dc.users[login])
                await client.send_message(msg, sender=envelope or sender,
                                          recipients=[self.settings.bot.address])
            finally:
                await hang_up(client)  # no TLS socket may outlive this event loop

        asyncio.run(send())
        return mid

    def inbox(self, address: str) -> list[EmailMessage]:
        pw = BOT_PASSWORD if address == self.settings.bot.address else password_of(address)
        with IMAPClient("127.0.0.1", port=self.dc.imap_port, ssl=False, timeout=10) as c:
            c.login(address, pw)
            c.select_folder("INBOX", readonly=True)
            uids = c.search(["ALL"])
            data = c.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        out = []
        for uid in sorted(data):
            msg = email.message_from_bytes(data[uid][b"BODY[]"], policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            out.append(msg)
        return out

    def wait_for(self, address: str, predicate: Callable[[EmailMessage], bool], timeout: float = 10.0
                 ) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while True:
            for msg in self.inbox(address):
                if predicate(msg):
                    return msg
            if time.monotonic() > deadline:
                subjects = [m["Subject"] for m in self.inbox(address)]
                raise AssertionError(f"no matching email for {address}; has {subjects}")
            time.sleep(0.1)


MARKING = "OFFICIAL-SENSITIVE"  # the example config's protective marking


def subject_of(msg: EmailMessage) -> str:
    """The subject without the protective marking, which test_day asserts on its own, so
    that the other tests compare what the subject says."""
    return str(msg["Subject"]).replace(f"{MARKING}: ", "", 1)


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")
