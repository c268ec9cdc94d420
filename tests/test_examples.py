"""The example configs in examples/: each loads, passes check-config, and describes its meeting."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from mailbot import config
from mailbot.cli import main
from mailbot.errors import ConfigError
from tests.conftest import EXAMPLE_CONFIG

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_every_example_passes_check_config(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(path), "check-config"]) == 0
    assert f"{path}: OK" in capsys.readouterr().out


def test_the_daily_example_is_the_documented_example_config() -> None:
    assert (EXAMPLES / "daily.toml").read_text(encoding="utf-8") == EXAMPLE_CONFIG.read_text(encoding="utf-8")


def test_the_daily_call_keeps_todays_behaviour() -> None:
    meeting = config.load(EXAMPLES / "daily.toml").meeting
    assert (meeting.categories, meeting.overnight_first, meeting.escalation_contact) == ((), "", "")
    assert meeting.decisions == ("accepted", "declined", "closed") and meeting.attendance_list


def test_the_daily_risk_example_is_a_mash_meeting() -> None:
    meeting = config.load(EXAMPLES / "daily-risk.toml").meeting
    assert meeting.reference_prefix == "DRM"
    assert (meeting.case_call, meeting.cutoff, meeting.starts) == (time(10), time(10), time(12))
    assert not meeting.attendance_list
    assert meeting.categories[0] == meeting.overnight_first == "critical incident"
    assert meeting.categories[-1] == "radicalisation"
    assert "strategy discussion" in meeting.decisions
    assert meeting.escalation_contact == "Head of MASH <head.mash@southwark.example>"


def risk() -> dict[str, Any]:
    return tomllib.loads((EXAMPLES / "daily-risk.toml").read_text(encoding="utf-8"))


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config.parse(data)
    return caught.value.problems


def test_the_risk_keys_are_checked_with_their_key_paths() -> None:
    data = risk()
    meeting = data["meeting"][0]
    meeting["categories"] = ["missing", "Missing", "gangs"]
    meeting["overnight_first"] = "critical incident"
    meeting["decisions"] = ["accepted", "referred on"]
    meeting["escalation_contact"] = "Head of MASH"
    assert problems_of(data) == [
        """meeting "drm".categories: 'Missing' is listed twice""",
        """meeting "drm".overnight_first: 'critical incident' is not one of the categories""",
        """meeting "drm".decisions: unknown decision 'referred on' (use accepted, declined, closed, """
        "strategy discussion)",
        """meeting "drm".escalation_contact: needs an email address: 'Head of MASH'""",
    ]


def test_the_agenda_may_go_at_the_cutoff_only_as_the_final_agenda() -> None:
    data = risk()
    data["meeting"][0]["attendance_list"] = True
    assert problems_of(data) == ['meeting "drm": case_call may equal cutoff only when the case call is the '
                                 "final agenda: set attendance_list = false"]
    data["meeting"][0]["case_call"] = "10:30"
    assert problems_of(data) == ['meeting "drm": times must run case_call < cutoff <= starts']
