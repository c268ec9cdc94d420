"""The kill -9 drill: `mailbot run` as a child process, killed at random moments, restarted.

Each round is one working day: a backlog of partner replies waits in the bot's
inbox, the clock (injected, real speed) starts at 10:00 London, so the case call
fan-out and the ingestion race each other, and every life of the process ends
with SIGKILL after a random delay until the day's work is done. The verdict is
read from the outside: the SMTP server's own log of what it accepted, the
mailboxes, and the database.

The rig's SMTP server keeps a copy of each submission in the bot's Sent folder
before it answers 250, as Exchange Online does, and the bot is configured to
look there: that is what closes the window between SMTP accepting an email and
the database recording it.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from imapclient import IMAPClient
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from mailbot import config
from mailbot.core.letters import brief_day
from tests.conftest import ROOT
from tests.rig.dovecot import DovecotServer
from tests.rig.received import arrived as stamp
from tests.rig.smtp import SMTPServer
from tests.rig.world import BOT_PASSWORD, World, dump, rig_config

LONDON = ZoneInfo("Europe/London")
SENT = "Sent"
AIM_HOLD = 0.04  # seconds the server holds each email while a kill is aimed at the fan-out


@dataclass
class Kill:
    round: int
    after: float  # seconds after the process said it was running
    state: str  # what was in progress when it died


@dataclass
class Report:
    kills: list[Kill] = field(default_factory=list)
    lives: int = 0
    replies: int = 0
    emails: int = 0
    duplicates: list[str] = field(default_factory=list)
    found_in_sent: int = 0  # restarts that found an in-flight email already sent

    def count(self, state: str) -> int:
        return sum(1 for k in self.kills if state in k.state)


class Drill:
    def __init__(self, dc: DovecotServer, smtp: SMTPServer, folder: Path, *, extra_partners: int,
                 seed: int) -> None:
        self.dc, self.smtp, self.folder = dc, smtp, folder
        self.rng = random.Random(seed)
        data = rig_config(dc, smtp, folder / "db.sqlite")
        data["imap"].update({"sent_folder": SENT, "poll_seconds": 0.5})
        for n in range(1, extra_partners + 1):
            data["partner"].append({"code": f"p{n:02}", "name": f"Partner {n:02}", "aliases": [f"P{n:02}"],
                                    "emails": [f"p{n:02}@partners.example"], "domains": []})
        self.config = folder / "mailbot.toml"
        self.config.write_text(dump(data))
        self.settings = config.load(self.config)
        self.world = World(dc, smtp, self.settings, datetime(2026, 11, 23, 10, tzinfo=LONDON))
        smtp.handler.sent_copy = (dc.imap_port, SENT)
        self.env = {**os.environ, "MAILBOT_IMAP_PASSWORD": BOT_PASSWORD,
                    "MAILBOT_SMTP_PASSWORD": BOT_PASSWORD}
        self.report = Report()
        self.replies: dict[str, str] = {}  # Message-ID -> the concern it carries
        self.days: list[date] = []
        self.logs: list[str] = []

    # -- the partners' side -----------------------------------------------------
    def backlog(self, day: date, n: int) -> None:
        """n replies, each adding one case, waiting in the bot's inbox since before 10:00."""
        partners = list(self.settings.partners)
        arrived = datetime.combine(day, datetime.min.time(), LONDON).replace(hour=9, minute=45)
        with self._bot_imap() as imap:
            for k in range(n):
                sender = self.rng.choice(partners)
                asked = self.rng.sample([p for p in partners if p.code != sender.code], 2)
                concern = f"drill {day} #{k}"
                msg = EmailMessage()
                msg["From"] = sender.emails[0]
                msg["To"] = self.settings.bot.address
                msg["Subject"] = "RE: Case call"
                msg["Message-ID"] = mid = f"<drill-{day}-{k}@partners.example>"
                msg["Date"] = email.utils.format_datetime(arrived)
                initials = f"{chr(65 + k % 26)}.{chr(65 + k // 26 % 26)}."
                msg.set_content(f"Case: {initials} - {concern}\n"
                                f"Partners: {asked[0].aliases[0]}, {asked[1].aliases[0]}\n")
                # Straight into the mailbox: stamped as the receiving server would have.
                imap.append("INBOX", stamp(msg.as_bytes()), msg_time=arrived)
                self.replies[mid] = concern
        self.report.replies += n

    def _bot_imap(self) -> IMAPClient:
        imap = IMAPClient("127.0.0.1", port=self.dc.imap_port, ssl=False, timeout=10)
        imap.login(self.settings.bot.address, BOT_PASSWORD)
        return imap

    # -- the process ------------------------------------------------------------
    def _spawn(self, moment: datetime) -> tuple[subprocess.Popen[bytes], threading.Event]:
        """Start a life; its output is read (and its pipe closed) by a thread of its own."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "mailbot", "--config", str(self.config), "run",
             "--clock", f"{moment.isoformat()}@1"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        running = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                text = line.decode(errors="replace").rstrip()
                self.logs.append(text)
                if "mailbot running" in text:
                    running.set()
                if "found in the sent folder" in text:
                    self.report.found_in_sent += 1
            proc.stdout.close()

        threading.Thread(target=read, daemon=True).start()
        self.report.lives += 1
        return proc, running

    def run_day(self, number: int, day: date, replies: int, *, kills: int, window: float) -> None:
        """Kill the process up to ``kills`` times during the day's work, then let it finish."""
        self.days.append(day)
        self.backlog(day, replies)
        start, started = datetime.combine(day, datetime.min.time(), LONDON).replace(hour=10), \
            time.monotonic()

        def now() -> datetime:
            return start + timedelta(seconds=time.monotonic() - started)

        done = 0
        while done < kills and not self._day_done(day):
            # While a kill is aimed at the fan-out the server holds each email a moment, from
            # before the process starts: a call to a dozen partners then lasts long enough to
            # be seen part-sent however quick the bot or slow this machine's polling, and the
            # kill may land with an email in flight.
            self.smtp.handler.slow = AIM_HOLD if done < 2 else 0.0
            proc, running = self._spawn(now())
            if not running.wait(30):
                proc.kill()
                raise AssertionError("mailbot did not start:\n" + "\n".join(self.logs[-30:]))
            delay = self._aim(day, 3.0) if done < 2 else self._wait(window)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            done += 1
            self.report.kills.append(Kill(number, delay, self._in_progress(day)))
        self.smtp.handler.slow = 0.0
        # The last life: no kill, until everything is sent.
        proc, running = self._spawn(now())
        deadline = time.monotonic() + 120
        while not self._day_done(day):
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise AssertionError("the day's work did not finish:\n" + "\n".join(self.logs[-40:]))
            time.sleep(0.2)
        # Told to stop only once it says it is running: before that it has no handler for
        # SIGTERM yet (the interpreter is still starting), and on a quick machine the last
        # life can find the day's work already done by the lives before it.
        assert running.wait(30), "\n".join(self.logs[-30:])
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, "\n".join(self.logs[-30:])

    def _wait(self, window: float) -> float:
        delay = self.rng.uniform(0, window)
        time.sleep(delay)
        return delay

    def _aim(self, day: date, window: float) -> float:
        """Wait until the case call is part-sent, then a moment more: the kill lands mid fan-out.

        Left to chance, a quick machine sends the whole call inside the first random delay
        and the drill proves little about fan-out; the first kills of each day are aimed.
        """
        began = time.monotonic()
        while time.monotonic() - began < window:
            if self._part_sent(day):
                time.sleep(self.rng.uniform(0, 0.02))
                break
            time.sleep(0.003)
        return time.monotonic() - began

    def _part_sent(self, day: date) -> bool:
        try:
            sent, unsent = self._query(
                "select coalesce(sum(case when status = 'sent' then 1 else 0 end), 0), "
                "coalesce(sum(case when status != 'sent' then 1 else 0 end), 0) "
                "from outbox where key like ?", f"case-call:%:{day}:%")[0]
        except (sqlite3.OperationalError, SQLAlchemyError):
            return False
        return bool(sent and unsent)

    # -- what the database and the mailbox say ------------------------------------
    def _query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        engine = self.world.store.engine
        if engine.dialect.name == "sqlite":
            # Its own plain connection: the bot's engine begins every transaction IMMEDIATE,
            # and a drill polling every few milliseconds must not take the write lock.
            with sqlite3.connect(str(engine.url.database), timeout=30) as conn:
                return conn.execute(sql, args).fetchall()
        names = iter(range(len(args)))
        named = re.sub(r"\?", lambda _: f":p{next(names)}", sql)
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(named), {f"p{n}": a for n, a in enumerate(args)})]

    def _in_progress(self, day: date) -> str:
        try:
            unsent_calls = self._query("select count(*) from outbox where key like ? and status != 'sent'",
                                       f"case-call:%:{day}:%")[0][0]
            called = self._query("select count(*) from runs where kind = 'case-call' and day = ?",
                                 str(day))[0][0]
            read = self._query("select count(*) from inbound where message_key like ?",
                               f"<drill-{day}-%")[0][0]
            unsent = self._query("select count(*) from outbox where status != 'sent'")[0][0]
        except (sqlite3.OperationalError, SQLAlchemyError):
            return "starting"  # tables not made yet
        states = []
        if not called or unsent_calls:
            states.append("fan-out")
        if read < sum(1 for m in self.replies if m.startswith(f"<drill-{day}-")):
            states.append("ingest")
        if unsent:
            states.append("sending")
        return "+".join(states) or "idle"

    def _day_done(self, day: date) -> bool:
        return self._in_progress(day) == "idle" and self._inbox_empty()

    def _inbox_empty(self) -> bool:
        with self._bot_imap() as imap:
            return int(imap.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"]) == 0

    def verify(self) -> Report:
        """Every expected email delivered exactly once, every reply applied exactly once."""
        parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
        accepted = [parser.parsebytes(m.data) for m in self.smtp.messages]
        by_id = Counter(str(h["Message-ID"]) for h in accepted)
        self.report.duplicates = sorted(mid for mid, n in by_id.items() if n > 1)
        self.report.emails = len(by_id)
        outbox = self._query("select message_id, status from outbox")
        assert {s for _, s in outbox} == {"sent"}, Counter(s for _, s in outbox)
        assert set(by_id) == {m for m, _ in outbox}, "the SMTP server saw emails the outbox does not hold"
        # Each reply: applied once, one case, one acknowledgement.
        inbound = Counter(r[0] for r in self._query("select message_key from inbound where status = 'applied'"))
        assert set(inbound) == set(self.replies) and set(inbound.values()) == {1}
        concerns = Counter(r[0] for r in self._query("select concern from cases"))
        assert concerns == Counter(self.replies.values()), "a case is missing or was added twice"
        acks = Counter(str(h["In-Reply-To"]) for h in accepted if h["In-Reply-To"])
        assert all(acks[mid] == 1 for mid in self.replies), "a reply was not acknowledged exactly once"
        # Each partner: one case call a day.
        for day in self.days:
            call = re.compile(rf" - (?:LATE c|C)ase call {brief_day(day)}: ")
            calls = Counter(str(h["To"]) for h in accepted if call.search(str(h["Subject"])))
            assert set(calls.values()) == {1} and len(calls) == len(self.settings.partners), calls
        with self._bot_imap() as imap:
            processed = imap.folder_status(self.settings.imap.processed_folder  # type: ignore[union-attr]
                                           , [b"MESSAGES"])[b"MESSAGES"]
        assert int(processed) == len(self.replies), "a reply was lost or moved twice"
        assert self._inbox_empty()
        return self.report
