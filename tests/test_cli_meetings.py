"""The operator's commands in a deployment of two meetings: each names its meeting, and a case
reference picks its meeting by its prefix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.rig.received import arrived
from tests.test_cli_commands import write_config

PANEL = """
[[meeting]]
id = "panel"
name = "Complex Case Panel"
reference_prefix = "CCP"
members = ["police", "cnwl"]
coordinators = ["police"]
"""


@pytest.fixture
def cfg(tmp_path: Path) -> str:
    path = write_config(tmp_path, None, None)
    path.write_text(path.read_text(encoding="utf-8") + PANEL, encoding="utf-8")
    return str(path)


def test_cases_are_added_listed_and_shown_in_their_own_meeting(cfg: str, capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    add = ["--config", cfg, "cases", "add", "--initials", "R.S.", "--concern", "eviction threat"]
    assert main([*add, "--referrer", "Police", "--meeting", "panel"]) == 0
    assert "Added CCP-2026-0001" in capsys.readouterr().out
    assert main([*add, "--referrer", "ASC"]) == 0  # no --meeting: the first meeting
    assert "Added HR-2026-0001" in capsys.readouterr().out
    assert main(["--config", cfg, "cases", "list"]) == 0
    both = capsys.readouterr().out
    assert "Hillingdon Multi-Agency High Risk Case Discussion: " in both and "Complex Case Panel: " in both
    assert main(["--config", cfg, "cases", "list", "--meeting", "panel"]) == 0
    panel = capsys.readouterr().out
    assert panel.startswith("Complex Case Panel: ") and "CCP-2026-0001" in panel and "HR-2026" not in panel
    assert main(["--config", cfg, "cases", "list", "--meeting", "nope"]) == 1
    assert "no meeting 'nope' (meetings: daily, panel)" in capsys.readouterr().err
    # The reference names the meeting: no --meeting needed to act on it, show or decide it.
    for ref in ("CCP-2026-0001", "HR-2026-0001"):
        assert main(["--config", cfg, "actions", "add", "--case", ref, "--owner", "asbit@hillingdon.example",
                     "--due", "31/12/2099", "--text", f"visit for {ref}"]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "actions", "list"]) == 0
    assert "visit for CCP-2026-0001" in (listed := capsys.readouterr().out) and "visit for HR-2026-0001" in listed
    assert main(["--config", cfg, "actions", "list", "--meeting", "panel"]) == 0
    assert "1 action\n" in (listed := capsys.readouterr().out) and "visit for CCP-2026-0001" in listed
    assert main(["--config", cfg, "cases", "decide", "CCP-2026-0001", "closed", "--rationale",
                 "rehoused; withdraw A-1"]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "cases", "show", "CCP-2026-0001"]) == 0
    assert "decision closed" in capsys.readouterr().out
    assert main(["--config", cfg, "cases", "show", "CCP-2026-0001", "--meeting", "daily"]) == 1
    assert "the reference prefix of the meeting 'panel'" in capsys.readouterr().err


def email(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_bytes(arrived(b"From: mash@met.police.example\r\nTo: highrisk-bot@hillingdon.example\r\n"
                             b"Subject: Re: hello\r\nMessage-ID: <" + name.encode() + b"@police>\r\n\r\n"
                             + body.encode() + b"\r\n"))
    return str(path)


def test_explain_names_the_meeting_an_email_is_routed_to(cfg: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    by_ref = email(tmp_path, "ref.eml", "Apologies for CCP-2026-0001: in court")
    neither = email(tmp_path, "none.eml", "Apologies: in court")
    assert main(["--config", cfg, "explain", "--json", by_ref, neither]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["meeting"] == {"id": "panel", "name": "Complex Case Panel", "by": "reference"}
    assert first["commands"][0]["case"] == "CCP-2026-0001"
    assert second["meeting"]["id"] is None and second["disposition"] == "clarify"
    assert main(["--config", cfg, "explain", by_ref]) == 0
    assert "Meeting:  Complex Case Panel (reference)" in capsys.readouterr().out


def test_a_panel_has_no_attendance_list_to_send(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, None, None)
    path.write_text(path.read_text(encoding="utf-8") + PANEL + 'rule = "second tuesday"\n', encoding="utf-8")
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    capsys.readouterr()
    # The daily call's list would tell panel members who is required at 12:00: say what to send.
    assert main(["--config", str(path), "send", "attendance", "--meeting", "panel"]) == 2
    assert "no attendance list" in capsys.readouterr().err
    assert main(["--config", str(path), "outbox", "--json"]) == 0
    assert capsys.readouterr().out == ""  # JSON Lines: not one email queued


def test_the_panel_log_defaults_to_the_panel_not_the_daily_call(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, None, None)
    path.write_text(path.read_text(encoding="utf-8") + PANEL + 'rule = "second tuesday"\n', encoding="utf-8")
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["--config", str(path), "panel", "log"]) == 0
    assert "0 decisions of panel from " in capsys.readouterr().out
    assert main(["--config", str(path), "panel", "log", "--meeting", "nope"]) == 1
    assert "no meeting 'nope'" in capsys.readouterr().err
