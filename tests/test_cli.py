"""The mailbot command, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.conftest import DATA, EXAMPLE_CONFIG, ROOT

pytestmark = pytest.mark.usefixtures("database")

GOLDEN = sorted((DATA / "inbound").glob("*.eml"))


def test_explain_prints_one_json_line_per_email_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    # The golden emails were saved without a receiving server's Authentication-Results.
    assert main(["--config", str(EXAMPLE_CONFIG), "explain", "--json", "--skip-sender-check",
                 *map(str, GOLDEN)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(GOLDEN)
    for path, line in zip(GOLDEN, lines, strict=True):
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        assert json.loads(line)["commands"] == expected["commands"], path.name


def test_explain_for_a_person(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(EXAMPLE_CONFIG), "explain", "--skip-sender-check",
                 str(DATA / "inbound/unknown_partner.eml")]) == 0
    out = capsys.readouterr().out
    assert "Verdict:  accepted" in out
    assert "unknown partner 'London Fire Brigade'" in out


def test_a_bad_config_is_one_clear_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text(EXAMPLE_CONFIG.read_text().replace('"mash@met.police.example"', '"mash@met"'))
    assert main(["--config", str(bad), "check-config"]) == 1
    err = capsys.readouterr().err
    assert "partner \"police\".emails[0]: not an email address: 'mash@met'" in err
    assert "Traceback" not in err


def test_a_missing_email_file_is_reported_and_the_rest_still_read(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(EXAMPLE_CONFIG), "explain", "--json", "--skip-sender-check", "/no/such.eml",
                 str(GOLDEN[0])])
    captured = capsys.readouterr()
    assert code == 1
    assert "/no/such.eml: cannot read" in captured.err
    assert len(captured.out.splitlines()) == 1


def test_python_dash_m_and_the_entry_point_both_run() -> None:
    for cmd in ([sys.executable, "-m", "mailbot", "--help"], ["mailbot", "--help"]):
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        assert done.returncode == 0, done.stderr
        assert "explain" in done.stdout


@pytest.mark.parametrize("envelope", ["mash@met.police.example", "someone@elsewhere.example", None])
def test_explain_reads_an_email_exactly_as_the_running_bot_does(
        envelope: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Sender checks included: an email the bot rejects as spoofed is rejected by explain too
    (it used to build its own reading context, without them, and said "accepted")."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.rig.received import arrived
    from tests.test_services import make

    raw = (b"From: mash@met.police.example\r\nTo: highrisk-bot@hillingdon.example\r\n"
           b"Subject: RE: Case call\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
           b"Message-ID: <explain-" + str(envelope).encode() + b"@met.police.example>\r\n\r\n"
           b"Withdraw HR-2026-0001: not needed\r\n")
    if envelope is not None:  # None: no receiving server's header at all
        raw = arrived(raw, envelope)
    path = tmp_path / "mail.eml"
    path.write_bytes(raw)
    assert main(["--config", str(EXAMPLE_CONFIG), "explain", "--json", str(path)]) == 0
    explained = json.loads(capsys.readouterr().out)
    service = make(tmp_path, datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London")))
    service.ingest(raw)
    with service.store.transaction() as tx:
        verdict, reason = tx.conn.exec_driver_sql("select verdict, reason from inbound").one()
    assert (explained["verdict"], explained["reason"]) == (verdict, reason)
    assert (verdict == "accepted") is (envelope == "mash@met.police.example")
