"""A panel's keys in the config: its dates or rule, referral close, agenda release, statement."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mailbot import config
from mailbot.errors import ConfigError
from mailbot.services.kernel import calendar_of

PANEL_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "panel.toml"


def example() -> dict[str, Any]:
    return tomllib.loads(PANEL_EXAMPLE.read_text(encoding="utf-8"))


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config.parse(data)
    return caught.value.problems


def test_the_panel_example_loads_as_a_monthly_panel() -> None:
    settings = config.load(PANEL_EXAMPLE)
    panel = settings.meeting
    assert panel.is_panel and panel.reference_prefix == "CCP"
    assert (panel.referral_close_days, panel.agenda_working_days) == (3, 2)
    assert panel.confidentiality_statement.startswith("By opening the agenda you agree")
    cal = calendar_of(panel, settings)
    assert cal.next_meeting_day(date(2026, 12, 8)) == date(2027, 1, 12)
    assert cal.release_day(date(2027, 1, 12)) == date(2027, 1, 8)


def test_a_rule_instead_of_dates() -> None:
    data = example()
    del data["meeting"][0]["dates"]
    data["meeting"][0]["rule"] = "second tuesday"
    settings = config.parse(data)
    cal = calendar_of(settings.meeting, settings)
    assert cal.next_meeting_day(date(2027, 12, 14)) == date(2028, 1, 11)


def test_a_rule_that_is_not_one_is_named() -> None:
    data = example()
    data["meeting"][0]["rule"] = "every other tuesday"
    assert any(p.startswith('meeting "panel".rule: ') for p in problems_of(data))


def test_referrals_must_close_before_the_agenda_goes_out() -> None:
    data = example()
    data["meeting"][0]["referral_close_days"] = 2
    assert any(p.startswith('meeting "panel".referral_close_days: referrals must close before')
               for p in problems_of(data))


def test_panel_keys_on_a_daily_meeting_are_refused() -> None:
    data = example()
    del data["meeting"][0]["dates"]
    assert 'meeting "panel".agenda_working_days: is for a panel: give its dates or a rule too' in problems_of(data)


def test_the_daily_example_is_not_a_panel() -> None:
    from tests.conftest import EXAMPLE_CONFIG

    settings = config.load(EXAMPLE_CONFIG)
    assert not settings.meeting.is_panel
    assert calendar_of(settings.meeting, settings).sittings is None
