"""`mailbot run` as its own process on the test servers: scheduler, IDLE, outbox, clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailbot import config
from tests.conftest import ROOT
from tests.rig.world import BOT_PASSWORD, World, dump, rig_config, subject_of, text_of

pytestmark = pytest.mark.servers


def test_the_service_runs_the_morning_and_stops_cleanly(mail_servers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    dc, smtp = mail_servers
    data = rig_config(dc, smtp, tmp_path / "db.sqlite")
    path = tmp_path / "mailbot.toml"
    path.write_text(dump(data))
    world = World(dc, smtp, config.load(path), datetime(2026, 11, 23, 9, 59, tzinfo=ZoneInfo("Europe/London")))
    env = {**os.environ, "MAILBOT_IMAP_PASSWORD": BOT_PASSWORD, "MAILBOT_SMTP_PASSWORD": BOT_PASSWORD}
    # 09:59:50 London, ten times real time: the case call falls due after about a second.
    proc = subprocess.Popen([sys.executable, "-m", "mailbot", "--config", str(path), "run",
                             "--clock", "2026-11-23T09:59:50+00:00@10"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        call = world.wait_for("mash@met.police.example", lambda m: "Case call" in subject_of(m),
                              timeout=30)
        assert "No cases today" in text_of(call)
        world.reply("mash@met.police.example", "Case: T.W. - threats\nPartners: ASBIT", to=call)
        started = time.monotonic()
        ack = world.wait_for("mash@met.police.example",
                             lambda m: subject_of(m).startswith("RE: Case call"), timeout=20)
        assert "Added HR-2026-0001 (T.W.)" in text_of(ack)
        assert time.monotonic() - started < 10  # answered within seconds, not at the next hour
        notice = world.wait_for("asbit@hillingdon.example",
                                lambda m: subject_of(m).startswith("Now REQUIRED"), timeout=10)
        assert "HR-2026-0001" in text_of(notice)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out.decode()
    assert b"Traceback" not in out
