"""The minutes' own line, ``Attended:``, and the summary's attendance lines, which must never
read as instructions."""

from __future__ import annotations

from datetime import date

from mailbot.core.commands import is_command_line, parse_commands
from mailbot.core.directory import Directory
from mailbot.core.model import Attended, Command, Sender

MONDAY = date(2026, 11, 23)
CHAIR = Sender("adultmash@hillingdon.example", "asc", True)
POLICE = Sender("jane@met.police.example", "police", False)
REF = "HR-2026-0041"


def parse(text: str, directory: Directory, sender: Sender = CHAIR) -> tuple[list[Command], list[str]]:
    return parse_commands(text, sender=sender, directory=directory, reference_prefix="HR", today=MONDAY)


def test_attended_names_the_partners_at_the_meeting(directory: Directory) -> None:
    cmds, problems = parse("Attended: Police, CNWL and Children's Services", directory)
    assert cmds == [Attended(("police", "cnwl", "childrens"), 1)]
    assert problems == []


def test_only_a_coordinator_records_who_attended(directory: Directory) -> None:
    cmds, problems = parse("Attended: Police, CNWL", directory, POLICE)
    assert cmds == []
    assert "only a coordinator may record who attended" in problems[0]


def test_an_unknown_name_in_attended_is_told_back(directory: Directory) -> None:
    cmds, problems = parse("Attended: Police, Fire Brigade", directory)
    assert cmds == [Attended(("police",), 1)]
    assert "unknown partner 'Fire Brigade'" in problems[0]


def test_the_summary_lines_are_never_read_as_instructions() -> None:
    assert not is_command_line("Who attended: Police, CNWL")
    assert not is_command_line("Apologies sent by: HIDVA, SPA for HR-2026-0041")
