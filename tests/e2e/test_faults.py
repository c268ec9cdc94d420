"""Faults on the real servers: SMTP down for half an hour, IMAP restarted under the bot.

The clock is injected; the outage and the restart are real (the SMTP server's
port closed, Dovecot kicked and restarted).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mailbot import config
from mailbot.adapters.imap import IdleWatcher
from mailbot.app import Runtime
from tests.e2e.test_day import ASC, BOT, POLICE, at, step
from tests.rig.world import World, rig_config, text_of

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
        assert tx.outbox_counts() == {"sent": 1, "pending": 10}  # the 09:50 answer went before
    # Backing off (30 s, 1, 2, 5, 10 minutes...): a handful of tries in 30 minutes, not 31.
    assert set(attempts) == {6}
    world.smtp.start()
    for minute in range(31, 41):
        step(world, f"10:{minute:02}")
    call = world.wait_for(ASBIT, lambda m: "Case call" in str(m["Subject"]))
    assert str(call["Subject"]).startswith("LATE Case call Mon 23 Nov 2026: 1 case")
    assert "T.W." in text_of(call) and "REQUIRED" in text_of(call)
    assert [str(m["Subject"]) for m in world.inbox(ASBIT)] == [str(call["Subject"])]
    assert max(message_ids(world).values()) == 1
    with world.store.transaction() as tx:
        assert tx.outbox_counts() == {"sent": 11}


def test_smtp_down_past_the_meeting_sends_nothing_stale_and_tells_coordinators(world: World) -> None:
    world.smtp.stop()
    for hhmm in ("10:00", "10:30", "11:00", "11:29", "11:30", "11:45", "12:00", "12:05"):
        step(world, hhmm)
    world.smtp.start()
    step(world, "12:10")
    notices = [m for m in world.inbox(ASC) if "not sent in time" in str(m["Subject"])]
    assert len(notices) == 2  # the case calls at the cut-off, the attendance lists at the start
    text = text_of(notices[0]) + text_of(notices[1])
    assert "case call 2026-11-23 to mash@met.police.example" in text
    assert "attendance 2026-11-23 to mash@met.police.example" in text
    assert "SMTP unavailable" in text
    assert not any("Case call" in str(m["Subject"]) or "Attendance" in str(m["Subject"])
                   for m in world.inbox(POLICE))
    with world.store.transaction() as tx:
        assert tx.outbox_counts() == {"expired": 20, "sent": 2}


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
        return sum(1 for m in world.inbox(POLICE) if str(m["Subject"]) == "RE: Case call") >= n

    with running(rt):
        world.reply(POLICE, "Case: A.A. - first")
        world.wait_for(POLICE, lambda m: str(m["Subject"]) == "RE: Case call", timeout=15)
        # Under IDLE: Dovecot kicks every client and restarts; a reply lands while the bot is away.
        world.dc.restart()
        world.reply(POLICE, "Case: B.B. - sent while the bot was reconnecting")
        deadline = time.monotonic() + 20
        while not answered(2):
            assert time.monotonic() < deadline, "the reply sent during the restart was not answered"
            time.sleep(0.2)
        # Under a fetch: a backlog is being read when the server goes away again.
        for n in range(40):
            world.reply(POLICE, f"Case: C.{chr(65 + n % 26)}. - backlog {n}")
        time.sleep(0.3)
        world.dc.restart()
        deadline = time.monotonic() + 60
        while not answered(42):
            assert time.monotonic() < deadline, "the backlog was not all answered after the restart"
            time.sleep(0.5)
    with world.store.transaction() as tx:
        concerns = Counter(r[0] for r in tx.conn.exec_driver_sql("select concern from cases").fetchall())
    assert len(concerns) == 42 and set(concerns.values()) == {1}
    assert world.inbox(BOT) == []
    assert max(message_ids(world).values()) == 1
