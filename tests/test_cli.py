"""The mailbot command, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.conftest import DATA, EXAMPLE_CONFIG, ROOT

GOLDEN = sorted((DATA / "inbound").glob("*.eml"))


def test_explain_prints_one_json_line_per_email_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(EXAMPLE_CONFIG), "explain", "--json", *map(str, GOLDEN)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(GOLDEN)
    for path, line in zip(GOLDEN, lines, strict=True):
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        assert json.loads(line)["commands"] == expected["commands"], path.name


def test_explain_for_a_person(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(EXAMPLE_CONFIG), "explain", str(DATA / "inbound/unknown_partner.eml")]) == 0
    out = capsys.readouterr().out
    assert "Verdict:  accepted" in out
    assert "unknown partner 'London Fire Brigade'" in out


def test_a_bad_config_is_one_clear_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text(EXAMPLE_CONFIG.read_text().replace('"mash@met.police.example"', '"mash@met"'))
    assert main(["--config", str(bad), "check-config"]) == 1
    err = capsys.readouterr().err
    assert "partner[5].emails[0]: not an email address: 'mash@met'" in err
    assert "Traceback" not in err


def test_a_missing_email_file_is_reported_and_the_rest_still_read(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(EXAMPLE_CONFIG), "explain", "--json", "/no/such.eml", str(GOLDEN[0])])
    captured = capsys.readouterr()
    assert code == 1
    assert "/no/such.eml: cannot read" in captured.err
    assert len(captured.out.splitlines()) == 1


def test_python_dash_m_and_the_entry_point_both_run() -> None:
    for cmd in ([sys.executable, "-m", "mailbot", "--help"], ["mailbot", "--help"]):
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        assert done.returncode == 0, done.stderr
        assert "explain" in done.stdout
