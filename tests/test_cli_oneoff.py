"""``mailbot meeting call`` and ``mailbot meeting list``: a one-off meeting called at the
terminal by the emailed line's rules, audited with the person's name, shown in the case."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.test_cli_commands import write_config


@pytest.fixture
def desk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """A config whose database holds one case, and that case's reference."""
    path = str(write_config(tmp_path, None, None))
    assert main(["--config", path, "cases", "add", "--initials", "T.W.", "--concern", "threats",
                 "--referrer", "Police", "--as", "jsmith"]) == 0
    return path, capsys.readouterr().out.split("Added ")[1].split(" ")[0]


def test_a_meeting_called_at_the_terminal_is_listed_and_in_the_case_s_history(
        desk: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, ref = desk
    day = date.today() + timedelta(days=7)
    call = ["--config", cfg, "meeting", "call", ref, "--at", f"{day:%d/%m/%Y} 14:00",
            "--partners", "police,cnwl", "--kind", "best-interest meeting", "--as", "jsmith"]
    assert main([*call, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"Called a best-interest meeting for {ref}" in out and "dry run: nothing was stored or sent" in out
    assert main(["--config", cfg, "meeting", "list"]) == 0
    assert capsys.readouterr().out == "0 one-off meeting(s) to come\n"

    assert main(call) == 0
    assert "invited: CNWL, Police" in capsys.readouterr().out  # in directory order, as every email lists them
    assert main(["--config", cfg, "meeting", "list", "--json"]) == 0
    [listed] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed == {"meeting": "daily", "reference": ref, "kind": "best-interest meeting",
                      "day": day.isoformat(), "starts": "14:00", "partners": ["police", "cnwl"],
                      "called_by": "cli:jsmith"}
    assert main(["--config", cfg, "cases", "show", ref]) == 0
    shown = capsys.readouterr().out
    assert f"one-off meeting: {day:%a %d %b %Y} 14:00  {ref}  best-interest meeting" in shown
    assert "meeting called" in shown and "cli:jsmith" in shown

    assert main(call) == 0  # the same call again: one sitting, nothing sent again
    assert "was already called; nothing new was sent" in capsys.readouterr().out


def test_a_name_or_a_time_it_cannot_read_calls_nothing(desk: tuple[str, str],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    cfg, ref = desk
    day = date.today() + timedelta(days=7)
    assert main(["--config", cfg, "meeting", "call", ref, "--at", f"{day:%d/%m/%Y} 14:00",
                 "--partners", "police,fire brigade"]) == 1
    assert "unknown partner 'fire brigade'" in capsys.readouterr().err
    assert main(["--config", cfg, "meeting", "call", ref, "--at", f"{day:%d/%m/%Y}", "--partners", "police"]) == 1
    assert "give the time, like 14:00" in capsys.readouterr().err
    assert main(["--config", cfg, "meeting", "list"]) == 0
    assert capsys.readouterr().out == "0 one-off meeting(s) to come\n"
