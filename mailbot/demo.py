"""``mailbot demo``: a week of the Hillingdon example on embedded mail servers.

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
NEXT_DAY = (2026, 11, 17)
WEEK_LATER = (2026, 11, 25)  # a Wednesday: two actions are more than 5 working days overdue
CHAIR = "adultmash@hillingdon.example"
MINUTES = (
    "Minutes of today's meeting:\n\n"
    "Action: HR-2026-0001 | mash@met.police.example | 17/11/2026 | welfare visit to T.W. with the PCSO\n"
    "Action: HR-2026-0001 | asbit@hillingdon.example | 17/11/2026 | check the CCTV of the stairwell for the "
    "night of 15 November and ask the housing officer about a management move for the neighbour\n"
    "Action: HR-2026-0002 | cnwl.highrisk@cnwl.example | 18/11/2026 | arrange a depot injection at home\n"
    "Action: HR-2026-0003 | referrals@hidva.example | 17/11/2026 | safety plan before the bail hearing, "
    "with a sanctuary scheme referral and a TecSOS phone\n"
    "Action: HR-2026-0003 | mash@met.police.example | 20/11/2026 | share the perpetrator's bail conditions "
    "with HIDVA and flag the address on the command and control system\n"
    "Decision HR-2026-0001: accepted\n"
    "Decision HR-2026-0002: accepted - disengaged from the community team\n"
    "Decision HR-2026-0003: accepted - DASH 18, perpetrator released from custody\n"
    "Review HR-2026-0001: 30/11/2026\n\n"
    "Thanks all\n"
)


def example_config() -> Path:
    for candidate in (Path(__file__).resolve().parent.parent / "config.example.toml",
                      Path(sys.prefix) / "share" / "mailbot" / "config.example.toml"):
        if candidate.exists():
            return candidate
    raise ConfigError("config.example.toml was not found; reinstall mailbot")


class Demo:
    def __init__(self, out: Path) -> None:
        from aiosmtpd.controller import Controller

        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix="mailbot-demo-"))
        data = tomllib.loads(example_config().read_text(encoding="utf-8"))
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

    async def whole_week(self) -> None:
        await self.day()
        await self.after_the_meeting()

    async def day(self) -> None:
        police, cnwl, csc = "mash@met.police.example", "cnwl.highrisk@cnwl.example", \
            "childrensmash@hillingdon.example"
        print(f"== mailbot demo: {self.settings.meeting.name}, Monday 16 November 2026 ==")
        await self.send(police, "Morning,\n\nCase: T.W. - threats to neighbour with a knife, seen by PCSO "
                                "last night\nPartners: Children's Services, ASBIT\n\nThanks\nDS Jane Smith\n"
                                "MASH, Metropolitan Police", "New case for today")
        await self.at("09:31")
        print("\n== 10:00 the case call goes to every partner ==")
        await self.at("10:00")
        call = self.last(cnwl, "Case call")
        quoted = "\n".join("> " + line for line in _text(call).splitlines())
        self.clock.set(datetime(*DAY, 10, 12, tzinfo=self.settings.bot.zone))
        await self.send(cnwl, "Case: M.K. - missed three depot injections, family worried\nPartners: SPA\n\n"
                              f"On Mon, 16 Nov 2026 at 10:00, Hillingdon High Risk Case Discussion <\n"
                              f"highrisk-bot@hillingdon.example> wrote:\n\n{quoted}",
                        f"Re: {call['Subject']}", quoting=call)
        await self.at("10:13")
        call = self.last(csc, "Case call")
        await self.send(csc, "Partners for HR-2026-0001: CNWL\n\nSent from my iPhone\n\n"
                             f"> On 16 Nov 2026, at 10:00, Hillingdon High Risk Case Discussion "
                             f"<highrisk-bot@hillingdon.example> wrote:\n>\n{_quote(_text(call))}",
                        f"Re: {call['Subject']}", quoting=call)
        await self.late_morning()

    async def late_morning(self) -> None:
        """An out-of-office, a member of the public, a Welsh Outlook reply, the cut-off."""
        thh, hidva = "safeguarding@thh.example", "referrals@hidva.example"
        asbit = "asbit@hillingdon.example"
        await self.at("10:25")
        await self.send(thh, "I am out of the office until Wednesday with no access to email.",
                        "Automatic reply: Case call", headers={"Auto-Submitted": "auto-replied"})
        await self.send("worried.neighbour@mail.example", "Case: J.J. - my neighbour shouts a lot",
                        "A concern")
        await self.at("10:40")
        call = self.last(hidva, "Case call")
        await self.send(hidva, "Case: S.P. - DASH 18, perpetrator released from custody this morning\n"
                               "Partners: Police, London Fire Brigade\n\nDiolch\nHIDVA\n\n"
                               "Oddi wrth: Hillingdon High Risk Case Discussion "
                               "<highrisk-bot@hillingdon.example>\nAnfonwyd: 16 Tachwedd 2026 10:00\n"
                               f"At: HIDVA\nPwnc: {call['Subject']}\n\n{_text(call)}",
                        f"RE: {call['Subject']}", quoting=call)
        await self.at("11:05")
        print("\n== 11:30 cut-off: the attendance list ==")
        await self.at("11:30")
        await self.send(asbit, "Case: K.L. - vulnerable adult, flat taken over by dealers\n"
                               "Partners: Police, Adult Social Care", "Late case")
        await self.at("11:45")

    async def after_the_meeting(self) -> None:
        """The rest of the week: minutes, action plan, owners reporting back, a reminder,
        the next case call with a returned case, and a week later the overdue digest."""
        police, cnwl = "mash@met.police.example", "cnwl.highrisk@cnwl.example"
        print("\n== 12:45 the chair sends the minutes ==")
        self.set("12:45")
        attendance = self.last(CHAIR, "Attendance list")
        await self.send(CHAIR, MINUTES, f"Re: {attendance['Subject']}", quoting=attendance)
        await self.at("12:46")
        print("\n== 12:56 ten quiet minutes later: the action plan goes out ==")
        await self.at("12:56")
        print("\n== 14:00 owners report back ==")
        self.set("14:00")
        mine = self.last(police, "Your actions")
        await self.send(police, "Done: A-1 visited with the PCSO, T.W. safe and well",
                        f"Re: {mine['Subject']}", quoting=mine)
        mine = self.last(cnwl, "Your actions")
        await self.send(cnwl, "Cannot complete: A-3 - family have moved out of the borough",
                        f"Re: {mine['Subject']}", quoting=mine)
        await self.at("14:01")
        print("\n== Tuesday: the reminders, then the case call with the returned case ==")
        for hhmm in ("09:00", "10:00", "11:30"):
            await self.at(hhmm, NEXT_DAY)
        print("\n== Wednesday 25 November: the overdue digest and the escalations ==")
        for hhmm in ("10:00", "11:30", "16:00"):
            await self.at(hhmm, WEEK_LATER)

    def summary(self) -> None:
        with self.runtime.services.store.transaction() as tx:
            counts = tx.outbox.counts()
            today = tx.cases.day_view(self.settings.meeting.id, datetime(*DAY).date())
        print("\n== end of the demo week ==")
        print(f"emails sent by the bot: {counts.get('sent', 0)}; waiting: {counts.get('pending', 0)}")
        print(f"cases on Monday's call: {', '.join(c.reference for c in today.cases)}")
        print(f"every email is in {self.out.resolve()} (.eml and .html)")


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return str(part.get_content()).replace("\r\n", "\n") if part is not None else ""


def _quote(text: str) -> str:
    return "\n".join(("> " + line).rstrip() for line in text.splitlines())


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
          (r"^Overdue actions ", "digest"))


def run_demo(out: Path | None, screenshots: Path | None = None) -> int:
    """The demo week; with ``screenshots``, a PNG of every email at phone and desktop width."""
    import logging

    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's own deprecation chatter
    demo = Demo(out or Path("demo-output"))
    demo.controller.start()
    try:
        asyncio.run(demo.whole_week())
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
