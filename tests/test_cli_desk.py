"""The coordinator's desk commands speak one style: dates as emails write them, errors for
names they do not know, their own options in --help, readable history, the person's name."""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path

import pytest

from mailbot.cli import main
from mailbot.core.dates import parse_date
from tests.test_cli_commands import write_config


@pytest.fixture
def desk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """A config whose database holds one case added by jsmith, and that case's reference."""
    path = str(write_config(tmp_path, None, None))
    assert main(["--config", path, "cases", "add", "--initials", "T.W.", "--concern", "threats",
                 "--partners", "ASBIT", "--referrer", "Police", "--as", "jsmith"]) == 0
    return path, capsys.readouterr().out.split("Added ")[1].split(" ")[0]


@pytest.mark.parametrize("text", ["27/11/2099", "27 Nov", "Friday", "tomorrow", "today", "2099-11-27"])
def test_date_options_take_what_emails_take(text: str, desk: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, ref = desk
    day = parse_date(text, date.today())
    assert main(["--config", cfg, "cases", "list", "--date", text]) == 0
    assert f": {day:%A} {day.day} {day:%B %Y}, " in capsys.readouterr().out
    assert main(["--config", cfg, "audit", "--since", text]) == 0
    assert main(["--config", cfg, "actions", "add", "--case", ref, "--owner",
                 "asbit@hillingdon.example", "--due", text, "--text", "visit"]) == 0
    assert f"due {day:%a} {day.day} {day:%b %Y}" in capsys.readouterr().out


def test_a_date_it_cannot_read_is_a_usage_error(desk: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, _ = desk
    with pytest.raises(SystemExit) as stop:
        main(["--config", cfg, "cases", "list", "--date", "next blue moon"])
    assert stop.value.code == 2
    assert "not a date: 'next blue moon'" in capsys.readouterr().err


def test_names_it_does_not_know_are_errors(desk: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, _ = desk
    assert main(["--config", cfg, "actions", "list", "--owner", "Polce"]) == 1
    assert capsys.readouterr().err == "mailbot: no partner called 'Polce' (did you mean Police?)\n"
    assert main(["--config", cfg, "cases", "add", "--initials", "R.S.", "--concern", "x",
                 "--referrer", "Polce"]) == 1
    assert "did you mean Police?" in capsys.readouterr().err
    for args in (["actions", "list", "--case", "HR-2026-9999"], ["audit", "--case", "HR-2026-9999"],
                 ["cases", "show", "HR-2026-9999"], ["cases", "decide", "HR-2026-9999", "accepted"]):
        assert main(["--config", cfg, *args]) == 1, args
        assert capsys.readouterr().err == "mailbot: no case HR-2026-9999\n", args
    assert main(["--config", cfg, "actions", "show", "A-99"]) == 1
    assert capsys.readouterr().err == "mailbot: no action A-99\n"


def test_actions_are_found_by_partner_and_counted_in_english(desk: tuple[str, str],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    cfg, ref = desk
    assert main(["--config", cfg, "actions", "list", "--owner", "ASBIT"]) == 0
    assert capsys.readouterr().out == "0 actions\n"
    assert main(["--config", cfg, "actions", "add", "--case", ref, "--owner",
                 "asbit@hillingdon.example", "--due", "31/12/2099", "--text", "check CCTV"]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "actions", "list", "--owner", "Anti-Social Behaviour Team"]) == 0
    out = capsys.readouterr().out
    assert "check CCTV" in out and out.endswith("\n1 action\n")


def test_cases_show_needs_a_reference(desk: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, _ = desk
    with pytest.raises(SystemExit) as stop:
        main(["--config", cfg, "cases", "show"])
    assert stop.value.code == 2
    assert "the following arguments are required: reference" in capsys.readouterr().err


def test_each_sub_command_shows_only_its_own_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["actions", "list", "--help"])
    shown = capsys.readouterr().out
    assert "--overdue" in shown and "--text" not in shown and "--due" not in shown
    with pytest.raises(SystemExit):
        main(["cases", "add", "--help"])
    shown = capsys.readouterr().out
    assert "--initials" in shown and "--rationale" not in shown and "--date" not in shown


def test_the_audit_names_the_person_who_typed_each_change(desk: tuple[str, str], capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, ref = desk
    monkeypatch.setenv("MAILBOT_ACTOR", "akhan")
    assert main(["--config", cfg, "cases", "decide", ref, "accepted"]) == 0
    monkeypatch.delenv("MAILBOT_ACTOR")
    assert main(["--config", cfg, "actions", "add", "--case", ref, "--owner",
                 "asbit@hillingdon.example", "--due", "31/12/2099", "--text", "check CCTV"]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "audit", "--json"]) == 0
    entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["actor"], e["action"]) for e in entries] == [
        ("cli:jsmith", "case added"), ("cli:akhan", "decision accepted"),
        (f"cli:{getpass.getuser()}", "action agreed")]
    assert entries[2]["fields"]["due"] == "2099-12-31"
    assert main(["--config", cfg, "cases", "show", ref]) == 0
    history = capsys.readouterr().out
    assert "{" not in history  # details in words, not JSON
    assert "cli:akhan" in history and "owner asbit@hillingdon.example; due 2099-12-31; text check CCTV" in history
