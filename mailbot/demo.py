"""``mailbot demo``: an example meeting's week on embedded mail servers (``mailbot.demos``
holds each example's story; the daily call of the Hillingdon example by default).

An aiosmtpd server on 127.0.0.1 takes everything the bot sends (over the bot's
real SMTP adapter, with a login); mail to the bot is delivered into a local
Maildir that the bot reads with its real inbound path. Partners reply from
different mail clients, quoting the emails they received, on a clock that
jumps through Monday morning, the chair's minutes and the owners' answers, the
next day's reminders and case call, and the overdue digest a week later, so a
newcomer sees every kind of email the bot writes. Every email is printed and
written as .eml and .html to a folder; ``--screenshots`` adds PNGs of each.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import mailbox
import os
import re
import sys
import tempfile
import tomllib
import uuid
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from mailbot import config
from mailbot.adapters.clock import SettableClock
from mailbot.app import build_demo_runtime
from mailbot.config import Settings
from mailbot.demo_servers import DEMO_PASSWORD, Delivery, _Auth, _free_port
from mailbot.errors import ConfigError

DAY = (2026, 11, 16)  # a Monday
def example_config() -> Path:
    for candidate in (Path(__file__).resolve().parent.parent / "config.example.toml",
                      Path(sys.prefix) / "share" / "mailbot" / "config.example.toml"):
        if candidate.exists():
            return candidate
    raise ConfigError("config.example.toml was not found; reinstall mailbot")


class Demo:
    def __init__(self, out: Path, config_path: Path | None = None) -> None:
        """A demo deployment of ``config_path`` (default: the Hillingdon example)."""
        from aiosmtpd.controller import Controller

        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix="mailbot-demo-"))
        data = tomllib.loads((config_path or example_config()).read_text(encoding="utf-8"))
        self.port = _free_port()
        data["smtp"] = {"host": "127.0.0.1", "port": self.port, "security": "none",
                        "username": data["bot"]["address"], "password_env": "MAILBOT_SMTP_PASSWORD"}
        data.pop("imap", None)
        data["database"] = {"url": f"sqlite:///{self.work / 'demo.db'}"}
        os.environ["MAILBOT_SMTP_PASSWORD"] = DEMO_PASSWORD
        self.settings: Settings = config.parse(data)
        ids = self.settings.privacy.trusted_authserv_ids
        self.delivery = Delivery(self.settings.bot.address,
                                 mailbox.Maildir(str(self.work / "bot"), create=True),
                                 ids[0] if ids else "mx.demo.example")
        self.controller = Controller(self.delivery, hostname="127.0.0.1", port=self.port,
                                     authenticator=_Auth(), auth_require_tls=False)
        zone = self.settings.bot.zone
        self.clock = SettableClock(datetime(*DAY, 9, 30, tzinfo=zone))
        self.runtime = build_demo_runtime(self.settings, self.clock, self.work / "bot")
        self.seen = 0
        self.shown: set[str] = set()
        self.received: dict[str, list[EmailMessage]] = {}

    # -- the partners ------------------------------------------------------
    async def send(self, sender: str, body: str, subject: str, *, quoting: EmailMessage | None = None,
                   headers: dict[str, str] | None = None) -> None:
        import aiosmtplib

        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = self.settings.bot.address
        msg["Subject"] = subject
        msg["Message-ID"] = f"<{uuid.uuid4().hex}@partner.example>"
        msg["Date"] = email.utils.format_datetime(self.clock.now())
        if quoting is not None:
            msg["In-Reply-To"] = str(quoting["Message-ID"])
            msg["References"] = str(quoting["Message-ID"])
        for key, value in (headers or {}).items():
            msg[key] = value
        msg.set_content(body)
        await aiosmtplib.send(msg, hostname="127.0.0.1", port=self.port,
                              username=sender, password=DEMO_PASSWORD)
        print(f"\n>>> {self.clock.now().astimezone(self.settings.bot.zone):%a %H:%M}  {sender} -> bot: "
              f"{subject}")
        for line in body.splitlines()[:4]:
            print(f"    | {line}")

    def last(self, address: str, starts: str) -> EmailMessage:
        for msg in reversed(self.received.get(address, [])):
            if starts in str(msg["Subject"]):
                found: EmailMessage = msg
                return found
        raise LookupError(f"{address} has no email starting {starts!r}")

    # -- the bot -------------------------------------------------------------
    async def at(self, hhmm: str, day: tuple[int, int, int] = DAY) -> None:
        self.set(hhmm, day)
        await self.runtime.step()
        self.report()

    def set(self, hhmm: str, day: tuple[int, int, int] = DAY) -> None:
        hours, minutes = (int(x) for x in hhmm.split(":"))
        self.clock.set(datetime(*day, hours, minutes, tzinfo=self.settings.bot.zone))

    def report(self) -> None:
        new = self.delivery.outbox[self.seen:]
        self.seen = len(self.delivery.outbox)
        for n, (rcpt, data) in enumerate(new, start=self.seen - len(new) + 1):
            msg = email.message_from_bytes(data, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            self.received.setdefault(rcpt, []).append(msg)
            subject = str(msg["Subject"])
            kind = _kind(subject)
            stem = f"{n:03d}-{kind}-{rcpt.split('@')[0]}"
            (self.out / f"{stem}.eml").write_bytes(data)
            html = msg.get_body(preferencelist=("html",))
            if html is not None:
                (self.out / f"{stem}.html").write_text(str(html.get_content()), encoding="utf-8")
            when = self.clock.now().astimezone(self.settings.bot.zone)
            print(f"<<< {when:%a %H:%M}  bot -> {rcpt}: {subject}")
            if kind not in self.shown or kind == "answer":  # each kind once in full; answers always
                self.shown.add(kind)
                text = msg.get_body(preferencelist=("plain",))
                body = str(text.get_content()) if text is not None else ""
                body = body.replace("\r\n", "\n").split("How to reply")[0].strip()
                for line in body.splitlines():
                    print(f"    | {line}")

    def summary(self) -> None:
        with self.runtime.services.store.transaction() as tx:
            counts = tx.outbox.counts()
            today = tx.cases.day_view(self.settings.meeting.id, datetime(*DAY).date())
        print("\n== end of the demo week ==")
        print(f"emails sent by the bot: {counts.get('sent', 0)}; waiting: {counts.get('pending', 0)}")
        print(f"cases on Monday's call: {', '.join(c.reference for c in today.cases)}")
        print(f"every email is in {self.out.resolve()} (.eml and .html)")


def _kind(subject: str) -> str:
    if re.match(r"(?i)re\s*:", subject):
        return "answer"
    for pattern, kind in _KINDS:
        if re.search(pattern, subject.removeprefix("OFFICIAL-SENSITIVE: ")):
            return kind
    return "answer"


_KINDS = ((r"^Now REQUIRED", "now-required"), (r" - (LATE c|C)ase call ", "case-call"),
          (r" - Attendance list ", "attendance"), (r" withdrawn$", "stand-down"),
          (r"^mailbot: ", "coordinator-notice"), (r"^Action plan ", "action-plan"),
          (r"^Your actions ", "owner-actions"), (r"^Reminder: ", "reminder"), (r"^ESCALATED: ", "escalation"),
          (r"^Overdue actions ", "digest"), (r"^(LATE p|P)anel agenda ", "panel-agenda"))


def run_demo(out: Path | None, screenshots: Path | None = None, example: str = "daily") -> int:
    """One example's demo (``mailbot.demos.EXAMPLES``, the daily call's week by default); with
    ``screenshots``, a PNG of every email at phone and desktop width."""
    import logging

    from mailbot.demos import EXAMPLES, example_path

    if example not in EXAMPLES:
        print(f"mailbot: no example {example!r} (examples: {', '.join(EXAMPLES)})", file=sys.stderr)
        return 2
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's own deprecation chatter
    demo = Demo(out or Path("demo-output"), example_path(example))
    demo.controller.start()
    try:
        asyncio.run(EXAMPLES[example](demo))
        demo.summary()
    finally:
        demo.controller.stop()
        demo.runtime.close()
    if screenshots is not None:
        from mailbot.screenshots import take

        try:
            pictures = take(sorted(demo.out.glob("*.html")), screenshots)
        except FileNotFoundError as exc:
            print(f"mailbot: no screenshots: {exc}", file=sys.stderr)
            return 1
        print(f"{len(pictures)} screenshots (390 and 1024 px wide) are in {screenshots.resolve()}")
    return 0
