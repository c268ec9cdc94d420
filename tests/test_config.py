"""The config file: loaded into settings, or every problem named by its key path."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from mailbot import config
from mailbot.errors import ConfigError
from tests.conftest import EXAMPLE_CONFIG


def example() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config.parse(data)
    return caught.value.problems


def test_the_example_is_the_hillingdon_group() -> None:
    settings = config.load(EXAMPLE_CONFIG)
    assert [p.code for p in settings.partners] == [
        "asc", "childrens", "cnwl", "spa", "ccg", "police", "hidva", "thh", "asbit", "community-safety"]
    assert settings.bot.address == "highrisk-bot@hillingdon.example"
    assert settings.meeting.reference_prefix == "HR"
    assert settings.directory.sender("referrals@hidva.example").partner == "hidva"


def test_every_problem_is_reported_at_once_with_its_key_path() -> None:
    data = example()
    data["partner"][3]["emails"][0] = "mash@met"
    data["meeting"][0]["cutoff"] = "25:99"
    data["bot"]["colour"] = "blue"
    data["smtp"]["password"] = "hunter2"
    problems = problems_of(data)
    assert "partner[3].emails[0]: not an email address: 'mash@met'" in problems
    assert any(p.startswith("meeting[0].cutoff: not a time of day") for p in problems)
    assert "bot.colour: unknown key" in problems
    assert any(p.startswith("smtp.password: passwords never go in the file") for p in problems)


def test_an_address_claimed_by_two_partners_is_refused() -> None:
    data = example()
    data["partner"][1]["emails"].append("mash@met.police.example")
    assert any("listed by both" in p for p in problems_of(data))


def test_a_group_needs_a_coordinator() -> None:
    data = example()
    data["partner"][0]["coordinator"] = False
    assert "partner: no partner has coordinator = true" in problems_of(data)


def test_unreadable_files_are_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot\naddress = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(bad)
    with pytest.raises(ConfigError, match="cannot read config file"):
        config.load(tmp_path / "missing.toml")
