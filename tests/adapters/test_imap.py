"""The IMAP adapter against Debian's Dovecot on 127.0.0.1 (IMAPS)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient

from mailbot import config
from mailbot.adapters.imap import IdleWatcher, ImapMailbox
from mailbot.config import Settings
from mailbot.errors import FetchError
from tests.rig.world import BOT_PASSWORD, World, rig_config

pytestmark = pytest.mark.servers


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    dc, smtp = mail_servers
    return World(dc, smtp, config.parse(rig_config(dc, smtp, tmp_path / "db.sqlite")),
                 datetime(2026, 11, 23, 10, tzinfo=UTC))


def append(world: World, n: int) -> None:
    with IMAPClient("127.0.0.1", port=world.dc.imap_port, ssl=False) as c:
        c.login(world.settings.bot.address, BOT_PASSWORD)
        for i in range(n):
            c.append("INBOX", f"From: mash@met.police.example\r\nSubject: n{i}\r\nMessage-ID: <{i}-{time.time()}@t>"
                              f"\r\n\r\nbody {i}\r\n".encode())


def imap_of(settings: Settings):  # type: ignore[no-untyped-def]
    assert settings.imap is not None
    return settings.imap


def test_fetch_in_uid_order_leaves_seen_alone_and_moves_when_done(world: World) -> None:
    append(world, 3)
    box = ImapMailbox(imap_of(world.settings))
    try:
        got = box.fetch_new()
        assert [m.raw.split(b"Subject: ")[1][:2] for m in got] == [b"n0", b"n1", b"n2"]
        assert [m.uid for m in got] == sorted(m.uid for m in got)
        assert all(m.arrived is not None for m in got)
        with IMAPClient("127.0.0.1", port=world.dc.imap_port, ssl=False) as c:
            c.login(world.settings.bot.address, BOT_PASSWORD)
            c.select_folder("INBOX", readonly=True)
            assert len(c.search(["UNSEEN"])) == 3  # BODY.PEEK[]: nothing marked read
        box.finish(got[0])
        box.finish(got[1], failed=True)
        assert [m.uid for m in box.fetch_new()] == [got[2].uid]
        with IMAPClient("127.0.0.1", port=world.dc.imap_port, ssl=False) as c:
            c.login(world.settings.bot.address, BOT_PASSWORD)
            assert c.folder_status("mailbot/processed", ["MESSAGES"])[b"MESSAGES"] == 1
            assert c.folder_status("mailbot/failed", ["MESSAGES"])[b"MESSAGES"] == 1
    finally:
        box.close()


def test_a_server_restart_is_an_error_then_a_clean_reconnect(world: World) -> None:
    append(world, 1)
    box = ImapMailbox(imap_of(world.settings))
    try:
        assert len(box.fetch_new()) == 1
        world.dc.restart()
        append(world, 1)
        try:
            found = box.fetch_new()  # the old connection may or may not notice first
        except FetchError:
            found = box.fetch_new()  # the next round reconnects and catches up
        assert len(found) == 2
    finally:
        box.close()


def test_idle_wakes_the_loop_when_mail_arrives(world: World) -> None:
    woken = threading.Event()
    watcher = IdleWatcher(imap_of(world.settings), wake=woken.set)
    watcher.start()
    try:
        assert woken.wait(5)  # connecting counts: a reconnect must catch up
        woken.clear()
        append(world, 1)
        assert woken.wait(5)  # Dovecot tells IDLE clients within about 0.5 s
    finally:
        watcher.stop()
        watcher.join(10)
    assert not watcher.is_alive()


def test_a_wrong_password_is_a_clear_fetch_error(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_IMAP_PASSWORD", "wrong")
    with pytest.raises(FetchError, match=r"refused the login for highrisk-bot@hillingdon\.example: check the password"):
        ImapMailbox(imap_of(world.settings)).fetch_new()
