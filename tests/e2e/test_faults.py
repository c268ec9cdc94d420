"""Faults on the real servers: SMTP down for half an hour, IMAP restarted under the bot.

The clock is injected; the outage and the restart are real (the SMTP server's
port closed, Dovecot kicked and restarted).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mailbot import config
from mailbot.adapters.db import Store, connect, upgrade
from mailbot.adapters.imap import IdleWatcher, ImapMailbox
from mailbot.adapters.smtp import SmtpPostman
from mailbot.adapters.templates import renderer
from mailbot.core.ports import OutboxRow
from mailbot.loop import Runtime
from mailbot.services import Services
from tests.e2e.test_day import ASC, BOT, POLICE, at, step
from tests.rig.postman import AtOutcome
from tests.rig.world import World, rig_config, subject_of, text_of

pytestmark = pytest.mark.servers
ASBIT = "asbit@hillingdon.example"


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    return World(dc, smtp, config.parse(rig_config(dc, smtp, tmp_path / "mailbot.db")), at("09:30"))


def message_ids(world: World) -> Counter[bytes]:
    return Counter(m.data.split(b"Message-ID: ")[1].split(b"\r\n")[0] for m in world.smtp.messages)


def test_smtp_down_thirty_minutes_the_case_call_goes_once_marked_late(world: World) -> None:
    world.reply(POLICE, "Case: T.W. - threats to neighbour\nPartners: ASBIT", subject="New case")
    step(world, "09:50")
    world.smtp.stop()
    for minute in range(0, 31):  # the bot keeps running, once a minute, while SMTP is down
        step(world, f"10:{minute:02}")
    with world.store.transaction() as tx:
        attempts = [r[0] for r in tx.conn.exec_driver_sql(
            "select attempts from outbox where key like 'case-call:%'").fetchall()]
        assert tx.outbox.counts() == {"sent": 1, "pending": 10}  # the 09:50 answer went before
    # Backing off (30 s, 1, 2, 5, 10 minutes...): a handful of tries in 30 minutes, not 31.
    assert set(attempts) == {6}
    world.smtp.start()
    for minute in range(31, 41):
        step(world, f"10:{minute:02}")
    call = world.wait_for(ASBIT, lambda m: "case call" in subject_of(m).lower())
    assert subject_of(call) == "REQUIRED 12:00 - ASBIT - LATE case call Mon 23 Nov: 1 case"
    assert "T.W." in text_of(call) and "you are required" in text_of(call)
    assert [subject_of(m) for m in world.inbox(ASBIT)] == [subject_of(call)]
    assert max(message_ids(world).values()) == 1
    with world.store.transaction() as tx:
        assert tx.outbox.counts() == {"sent": 11}


def test_smtp_down_past_the_meeting_sends_nothing_stale_and_tells_coordinators(world: World) -> None:
    world.smtp.stop()
    for hhmm in ("10:00", "10:30", "11:00", "11:29", "11:30", "11:45", "12:00", "12:05"):
        step(world, hhmm)
    world.smtp.start()
    step(world, "12:10")
    notices = [m for m in world.inbox(ASC) if "not sent in time" in subject_of(m)]
    assert len(notices) == 2  # the case calls at the cut-off, the attendance lists at the start
    text = text_of(notices[0]) + text_of(notices[1])
    assert "case call 2026-11-23 to mash@met.police.example" in text
    assert "attendance 2026-11-23 to mash@met.police.example" in text
    assert "SMTP unavailable" in text
    assert not any("case call" in subject_of(m).lower() or "Attendance" in subject_of(m)
                   for m in world.inbox(POLICE))
    with world.store.transaction() as tx:
        assert tx.outbox.counts() == {"expired": 20, "sent": 2}


@contextmanager
def running(runtime: Runtime) -> Iterator[None]:
    """The service loop as `mailbot run` runs it, in a thread of its own."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def main() -> None:
        loop.run_until_complete(runtime.run(stop, scheduler=False))

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()
        assert not thread.is_alive()


def test_imap_restarted_under_idle_and_under_a_fetch_misses_nothing(world: World) -> None:
    world.clock.set(at("10:05"))
    with world.store.transaction():
        pass
    rt = world.runtime()
    assert world.settings.imap is not None
    rt.poll_seconds = 30  # so only IDLE and reconnecting can bring the bot back in time
    rt.idle = IdleWatcher(world.settings.imap, wake=lambda: None)

    def answered(n: int) -> bool:
        return sum(1 for m in world.inbox(POLICE) if subject_of(m).startswith("RE: Case call")) >= n

    with running(rt):
        world.reply(POLICE, "Case: A.A. - first")
        world.wait_for(POLICE, lambda m: subject_of(m).startswith("RE: Case call"), timeout=15)
        # Under IDLE: Dovecot kicks every client and restarts; a reply lands while the bot is away.
        world.dc.restart()
        world.reply(POLICE, "Case: B.B. - sent while the bot was reconnecting")
        # Generous: if an answer meets the restart on its way out (the rig delivers into Dovecot),
        # it waits its 30 s retry, and a loaded machine restarts Dovecot slowly.
        deadline = time.monotonic() + 90
        while not answered(2):
            assert time.monotonic() < deadline, "the reply sent during the restart was not answered"
            time.sleep(0.2)
        # Under a fetch: a backlog is being read when the server goes away again.
        for n in range(40):
            world.reply(POLICE, f"Case: C.{chr(65 + n % 26)}. - backlog {n}")
        time.sleep(0.3)
        world.dc.restart()
        deadline = time.monotonic() + 150
        while not answered(42):
            assert time.monotonic() < deadline, "the backlog was not all answered after the restart"
            time.sleep(0.5)
        # An email read (and answered) just before the restart may not have been moved out yet:
        # the next round sees it again, knows it, and moves it.
        while world.inbox(BOT):
            assert time.monotonic() < deadline, "an email was left in the bot's inbox"
            time.sleep(0.5)
    with world.store.transaction() as tx:
        concerns = Counter(r[0] for r in tx.conn.exec_driver_sql("select concern from cases").fetchall())
    assert len(concerns) == 42 and set(concerns.values()) == {1}
    assert world.inbox(BOT) == []
    assert max(message_ids(world).values()) == 1


def bot_on(world: World, url: str) -> Runtime:
    """The bot with its database at ``url``, waiting at most a second for a lock."""
    assert world.settings.imap and world.settings.smtp
    engine = connect(url, busy_timeout=1)
    upgrade(engine)
    services = Services(world.settings, Store(engine), world.clock, renderer())
    return Runtime(services, ImapMailbox(world.settings.imap),
                   SmtpPostman(world.settings.smtp, world.settings.bot.address), poll_seconds=0.2)


def one_round(world: World, rt: Runtime, hhmm: str) -> None:
    world.clock.set(at(hhmm))
    asyncio.run(rt.step())


def test_a_locked_database_keeps_the_reply_on_the_server_until_it_is_free(world: World,
                                                                         tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mailbot.db'}"
    rt = bot_on(world, url)
    try:
        one_round(world, rt, "10:00")
        world.reply(POLICE, "Case: L.K. - sent while the database was locked")
        holder = sqlite3.connect(tmp_path / "mailbot.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another program (a backup, a careless sqlite3 shell)
        one_round(world, rt, "10:05")
        assert rt.stats.get("store-errors", 0) >= 1  # logged, not raised: the loop goes on
        assert len(world.inbox(BOT)) == 1  # still on the server, not lost, not half-read
        holder.execute("ROLLBACK")
        holder.close()
        one_round(world, rt, "10:06")
    finally:
        rt.close()
    assert world.inbox(BOT) == []
    ack = world.wait_for(POLICE, lambda m: subject_of(m).startswith("RE: Case call"))
    assert "Added HR-2026-0001 (L.K.)" in text_of(ack)


class Locker:
    """Another program that takes the SQLite database's lock, and gives it back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.holder: sqlite3.Connection | None = None

    def lock(self, row: OutboxRow) -> None:
        self.holder = sqlite3.connect(self.path, isolation_level=None)
        self.holder.execute("BEGIN EXCLUSIVE")

    def unlock(self) -> None:
        assert self.holder is not None
        self.holder.execute("ROLLBACK")
        self.holder.close()


def test_a_database_locked_mid_case_call_leaves_no_partner_untold(world: World, tmp_path: Path) -> None:
    # The rest of the batch was claimed ('sending') before the lock: the next round must send
    # them, not leave them to a restart that may be weeks away.
    rt = bot_on(world, f"sqlite:///{tmp_path / 'mailbot.db'}")
    assert rt.postman is not None
    locked = Locker(tmp_path / "mailbot.db")
    rt.postman = AtOutcome(rt.postman, 3, locked.lock)  # the third email's outcome cannot be recorded
    try:
        one_round(world, rt, "10:00")
        assert rt.stats.get("store-errors", 0) == 1
        locked.unlock()
        one_round(world, rt, "10:00")  # within the SMTP timeout: the email in doubt may be on its way
        with rt.services.store.transaction() as tx:
            assert tx.outbox.counts()["sending"] == len(world.settings.partners) - 2
        one_round(world, rt, "10:01")
    finally:
        rt.close()
    partners = [a for p in world.settings.partners for a in p.emails]
    got = Counter(a for a in partners for m in world.inbox(a) if "case call" in subject_of(m).lower())
    assert set(got) == set(partners)
    # At most the one email in doubt twice (the same Message-ID), as after a crash.
    assert sum(got.values()) <= len(partners) + 1
    with rt.services.store.transaction() as tx:
        assert tx.outbox.counts() == {"sent": len(partners)}


@contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}M", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_keeps_the_reply_on_the_server_until_there_is_room(world: World,
                                                                       tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 3) as disk:
        rt = bot_on(world, f"sqlite:///{disk / 'mailbot.db'}")
        try:
            one_round(world, rt, "10:00")
            filler = disk / "filler"
            # Unbuffered: a write cut short by the full disk leaves nothing for close() to retry.
            with open(filler, "wb", buffering=0) as f, contextlib.suppress(OSError):  # every byte left
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            # A long reply: its text is kept, so it needs room the database no longer has.
            world.reply(POLICE, "Case: F.D. - sent while the disk was full\n\n" + "background " * 60_000)
            one_round(world, rt, "10:05")
            assert rt.stats.get("store-errors", 0) >= 1
            assert len(world.inbox(BOT)) == 1
            filler.unlink()
            one_round(world, rt, "10:06")
        finally:
            rt.close()
            rt.services.store.engine.dispose()
    assert world.inbox(BOT) == []
    ack = world.wait_for(POLICE, lambda m: subject_of(m).startswith("RE: Case call"))
    assert "Added HR-2026-0001 (F.D.)" in text_of(ack)


def test_down_at_ten_back_at_ten_forty_sends_the_case_call_at_once_marked_late(world: World) -> None:
    world.reply(POLICE, "Case: T.W. - threats to neighbour\nPartners: ASBIT", subject="New case")
    step(world, "10:40")  # the first round of a process started at 10:40
    call = world.wait_for(ASBIT, lambda m: "case call" in subject_of(m).lower())
    assert " - LATE case call Mon 23 Nov: " in subject_of(call)
    assert "T.W." in text_of(call)


def test_back_after_the_cutoff_sends_no_stale_case_call_and_tells_coordinators(world: World) -> None:
    step(world, "11:40")
    notice = world.wait_for(ASC, lambda m: "case-call for 2026-11-23 not sent" in subject_of(m))
    assert "was not running between 10:00 and the 11:30 cut-off" in text_of(notice)
    assert not any("case call" in subject_of(m).lower() for m in world.inbox(POLICE))
    # The attendance list is still of use before 12:00, so it goes.
    assert any("Attendance list" in subject_of(m) for m in world.inbox(POLICE))
