"""``Return <ref>: <what is missing>``: the chair sends a referral back, read strictly."""

from __future__ import annotations

from datetime import date

from mailbot.core.commands import parse_commands, read_commands
from mailbot.core.directory import Directory
from mailbot.core.model import ReturnCase, Sender

CHAIR = Sender("adultmash@hillingdon.example", "asc", True)
POLICE = Sender("jane@met.police.example", "police", False)


def parse(text: str, directory: Directory, sender: Sender = CHAIR) -> tuple[list[object], list[str]]:
    commands, problems = parse_commands(text, sender=sender, directory=directory, reference_prefix="CCP",
                                        today=date(2026, 12, 7))
    return list(commands), problems


def test_the_chair_returns_a_referral_with_what_is_missing(directory: Directory) -> None:
    assert parse("Return CCP-2026-7: the GP's view and the tenancy history", directory) == (
        [ReturnCase("CCP-2026-0007", "the GP's view and the tenancy history", 1)], [])
    assert parse("Return case ccp-2026-0007 - the GP's view", directory)[0] == [
        ReturnCase("CCP-2026-0007", "the GP's view", 1)]


def test_only_a_coordinator_may_return_a_referral(directory: Directory) -> None:
    commands, [problem] = parse("Return CCP-2026-0007: no GP view", directory, POLICE)
    assert commands == [] and "only a coordinator may return referrals" in problem


def test_a_return_without_what_is_missing_is_told_back_with_the_form(directory: Directory) -> None:
    commands, [problem] = parse("Return CCP-2026-0007", directory)
    assert commands == [] and "Return CCP-2026-0007: <what is missing>" in problem


def test_prose_about_returning_is_not_an_instruction(directory: Directory) -> None:
    parsed = read_commands("Return to work meeting: Monday\nReturned home safely.", sender=POLICE,
                           directory=directory, reference_prefix="CCP", today=date(2026, 12, 7))
    assert parsed.commands == () and parsed.problems == () and not parsed.instructions
