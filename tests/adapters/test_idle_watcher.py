"""The IDLE watcher only wakes the loop: whatever goes wrong, its thread must live on."""

from __future__ import annotations

import logging
import threading
from typing import NoReturn

import pytest

from mailbot.adapters.imap import IdleWatcher
from mailbot.config import ImapSettings, Settings


def test_an_unexpected_error_is_said_once_and_the_watcher_keeps_trying(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    tries: list[int] = []
    third = threading.Event()

    def broken(_: ImapSettings) -> NoReturn:
        tries.append(1)
        if len(tries) == 3:
            third.set()
        raise RuntimeError("a bug in reading the server's answer")

    assert settings.imap is not None
    watcher = IdleWatcher(settings.imap, wake=lambda: None, factory=broken)
    with caplog.at_level(logging.WARNING, logger="mailbot"):
        watcher.start()
        try:
            assert third.wait(30)
            assert watcher.is_alive()
        finally:
            watcher.stop()
            watcher.join(10)
    said = [r.getMessage() for r in caplog.records if "IDLE" in r.getMessage()]
    assert said == ["IMAP IDLE cannot start (a bug in reading the server's answer); "
                    "trying again, backing off up to 5 minutes"]
