"""The operator's commands: db upgrade, send (never twice), cases list/add, inbox failed/retry."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.conftest import EXAMPLE_CONFIG
from tests.rig import database
from tests.rig.smtp import SMTPServer

pytestmark = pytest.mark.usefixtures("database")
BOT = "highrisk-bot@hillingdon.example"


def write_config(tmp_path: Path, smtp: SMTPServer | None, ca: Path | None) -> Path:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    head = text.split("[imap]")[0]
    tail = "[[meeting]]" + text.split("[[meeting]]", 1)[1]
    smtp_part = (f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "starttls"\n'
                 f'username = "{BOT}"\npassword_env = "TEST_SMTP"\nca_file = "{ca}"\n\n') if smtp else ""
    path = tmp_path / "mailbot.toml"
    path.write_text(head + smtp_part + f'[database]\nurl = "{database.url(tmp_path)}"\n\n' + tail)
    assert data["bot"]["address"] == BOT
    return path


def test_send_case_call_twice_sends_once(tmp_path: Path, smtp: tuple[SMTPServer, Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    server, ca = smtp
    cfg = str(write_config(tmp_path, server, ca))
    assert main(["--config", cfg, "db", "upgrade"]) == 0
    assert main(["--config", cfg, "send", "case-call", "--date", "2026-11-23"]) == 0
    assert "10 emails sent now" in capsys.readouterr().out
    assert main(["--config", cfg, "send", "case-call", "--date", "2026-11-23"]) == 0
    assert "already sent; nothing sent again" in capsys.readouterr().out
    assert len(server.messages) == 10
    assert main(["--config", cfg, "send", "case-call", "--date", "2026-12-25"]) == 1
    assert "2026-12-25 is not a meeting day (Christmas Day)" in capsys.readouterr().err


def test_a_coordinator_adds_a_case_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(write_config(tmp_path, None, None))
    code = main(["--config", cfg, "cases", "add", "--initials", "R.S.", "--concern", "eviction threat",
                 "--partners", "Police and Fire Brigade", "--referrer", "housing"])
    assert code == 1
    assert "no partner called 'housing' (known: ASC," in capsys.readouterr().err
    code = main(["--config", cfg, "cases", "add", "--initials", "R.S.", "--concern", "eviction threat",
                 "--partners", "Police and Fire Brigade", "--referrer", "ASC"])
    captured = capsys.readouterr()
    assert code == 0
    assert "Added HR-" in captured.out and "(R.S.)" in captured.out
    assert "unknown partner 'Fire Brigade'" in captured.err
    assert main(["--config", cfg, "cases", "list"]) == 0
    listing = capsys.readouterr().out
    assert "R.S.  eviction threat" in listing
    assert "required: Adult Social Care, Metropolitan Police" in listing


def test_inbox_failed_and_retry_explain_themselves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(write_config(tmp_path, None, None))
    assert main(["--config", cfg, "inbox", "failed"]) == 0
    assert "0 failed emails" in capsys.readouterr().out
    assert main(["--config", cfg, "inbox", "retry", "7"]) == 1
    assert "inbound #7 is not a failed email" in capsys.readouterr().err


def test_run_without_servers_in_the_config_is_a_clear_error(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(write_config(tmp_path, None, None))
    assert main(["--config", cfg, "run"]) == 1
    assert "'mailbot run' needs both [imap] and [smtp]" in capsys.readouterr().err


def test_a_coordinator_types_up_the_minutes(tmp_path: Path, smtp: tuple[SMTPServer, Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    server, ca = smtp
    cfg = str(write_config(tmp_path, server, ca))
    assert main(["--config", cfg, "cases", "add", "--initials", "T.W.", "--concern", "threats",
                 "--partners", "ASBIT", "--referrer", "Police"]) == 0
    ref = capsys.readouterr().out.split("Added ")[1].split(" ")[0]
    assert main(["--config", cfg, "actions", "add", "--case", ref, "--owner", "asbit@hillingdon.example",
                 "--due", "31/12/2099", "--text", "check CCTV"]) == 0
    out = capsys.readouterr().out
    assert "A-1 (" in out and "Filed under the meeting of " in out
    # The coordinators hear at once that the owner's address gets references only; the action
    # plan waits.
    assert "1 notice to the coordinators sent now; the action summary goes out after 10 quiet " \
           "minutes, or now with `mailbot send summary`" in out
    assert not any(b"Action plan" in m.data for m in server.messages)
    assert main(["--config", cfg, "actions", "add", "--case", ref, "--owner", "nobody@elsewhere.example",
                 "--due", "31/12/2099", "--text", "call back"]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "cases", "decide", ref, "closed"]) == 1
    assert "needs its rationale" in capsys.readouterr().err
    # A case is not closed with actions open, unless they are withdrawn with it.
    assert main(["--config", cfg, "cases", "decide", ref, "closed", "--rationale", "risk reduced"]) == 1
    assert "was not closed: it still has open actions: A-1 (asbit@hillingdon.example, due Thu 31 Dec " \
           "2099); A-2 (nobody@elsewhere.example" in capsys.readouterr().err
    assert main(["--config", cfg, "cases", "decide", ref, "closed", "--rationale",
                 "risk reduced; withdraw A-1, A-2"]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "actions", "list", "--owner", "asbit@hillingdon.example"]) == 0
    listing = capsys.readouterr().out
    assert "A-1" in listing and "withdrawn" in listing and "check CCTV" in listing and "call back" not in listing
    assert main(["--config", cfg, "actions", "show", "A-1"]) == 0
    assert "cli:" in capsys.readouterr().out
    assert main(["--config", cfg, "cases", "show", ref]) == 0
    history = capsys.readouterr().out
    assert "case added" in history and "action agreed" in history and "decision closed" in history
    assert "action withdrawn" in history
    # The owner outside the directory was accepted, with a warning to the coordinator.
    notices = [m for m in server.messages if b"action owner outside the directory" in m.data]
    assert len(notices) == 1 and notices[0].rcpt_tos == ["adultmash@hillingdon.example"]
    # The summary waits for the quiet period, or goes when asked; each version goes once.
    assert main(["--config", cfg, "send", "summary"]) == 0
    assert "emails sent now" in capsys.readouterr().out
    # The actions were withdrawn and the case goes to a later meeting: the coordinators' copy.
    plans = [m for m in server.messages if b"Subject: Action plan" in m.data]
    assert [m.rcpt_tos for m in plans] == [["adultmash@hillingdon.example"]]
    sent = len(server.messages)
    assert main(["--config", cfg, "send", "summary"]) == 0
    assert "already sent in this version" in capsys.readouterr().out
    assert len(server.messages) == sent


MINUTES = """Attended: Police, ASBIT
Action: {ref} | asbit@hillingdon.example | 31/12/2099 | check CCTV
Action: {ref} | mash@met.police.example | 31/12/2099 | welfare visit
Decision {ref}: accepted
"""


def test_the_minutes_in_one_go_with_a_dry_run_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(write_config(tmp_path, None, None))
    assert main(["--config", cfg, "cases", "add", "--initials", "Tom Walker", "--concern", "threats",
                 "--referrer", "Police"]) == 1
    assert "'Tom Walker' is not initials: give 1 to 4 letters, like 'Case: T.W. - threats to neighbour'" \
        in capsys.readouterr().err
    assert main(["--config", cfg, "cases", "add", "--initials", "T.W.", "--concern", "threats",
                 "--partners", "ASBIT", "--referrer", "Police"]) == 0
    ref = capsys.readouterr().out.split("Added ")[1].split(" ")[0]
    minutes = tmp_path / "minutes.txt"
    minutes.write_text(MINUTES.format(ref=ref), encoding="utf-8")
    args = ["--config", cfg, "minutes", "--meeting", "2026-11-23", str(minutes)]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Would be filed under the meeting of Mon 23 Nov 2026\n")
    assert "attended: Metropolitan Police, Anti-Social Behaviour Team" in out
    assert "would send 5 emails:" in out
    assert "  mash@met.police.example: Action plan Mon 23 Nov 2026: 1 case, 2 actions" in out
    assert out.endswith("dry run: nothing was changed and nothing sent\n")
    assert main(["--config", cfg, "actions", "list"]) == 0
    assert "0 actions" in capsys.readouterr().out
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("Filed under the meeting of Mon 23 Nov 2026\n")
    # Both actions filed (their numbers: PostgreSQL does not give back those the dry run drew).
    assert len(re.findall(r"^A-\d+ \(", out, re.M)) == 2 and "would send" not in out
    assert main(["--config", cfg, "audit"]) == 0
    assert "minutes typed up" in capsys.readouterr().out
    assert main(args) == 0  # the same minutes again change nothing and send nothing
    assert "no action plan sent: this version of the plan was already sent" in capsys.readouterr().out
    assert main(["--config", cfg, "minutes", "--meeting", "2026-11-22", str(minutes)]) == 1
    assert "there was no meeting on Sunday 22 November 2026" in capsys.readouterr().err
    minutes.write_text(MINUTES.format(ref=ref) + f"Decision {ref}: closed\n", encoding="utf-8")
    assert main([*args, "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "problem: line 5: a case closed needs its rationale after a dash" in err
    assert "nothing was filed under the meeting of Mon 23 Nov 2026 and nothing sent" in err
