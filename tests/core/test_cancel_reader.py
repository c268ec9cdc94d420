"""``Cancel meeting <ref>: <reason>``: read as people write it, and never on a guess."""

from __future__ import annotations

from datetime import date, time

import pytest

from mailbot.core.directory import Directory
from mailbot.core.model import (
    Apologies,
    CallMeeting,
    CancelMeeting,
    Reading,
    RequirePartners,
    Verdict,
)
from mailbot.core.oneoff import Sitting, in_thread
from mailbot.explain import as_dict
from tests.core.test_commands import CHAIR, parse

REF = "HR-2026-0041"


@pytest.mark.parametrize(("line", "day", "starts", "reason"), [
    ("Cancel meeting HR-2026-0041: family moved away", None, None, "family moved away"),
    ("Cancel meeting HR-2026-0041 - family moved", None, None, "family moved"),
    ("cancel the meeting for HR-2026-0041: the family have moved out of the borough.", None, None,
     "the family have moved out of the borough"),
    ("- Cancel the strategy discussion for hr-2026-41 – risk reduced", None, None, "risk reduced"),
    ("Cancel meeting HR-2026-0041 on 03/12/2026 14:00: family moved", date(2026, 12, 3), time(14),
     "family moved"),
    ("Cancel the professionals' meeting for HR-2026-0041 Thursday at 2pm - no longer needed",
     date(2026, 11, 26), time(14), "no longer needed"),
    ("Cancel meeting HR-2026-0041 on 3 December: GP unavailable", date(2026, 12, 3), None, "GP unavailable"),
    ("Cancel meeting HR-2026-0041: family moved at 9am", None, None, "family moved at 9am"),
    ("Cancel meeting HR-2026-0041: family moved: they left on Friday", None, None,
     "family moved: they left on Friday"),
])
def test_a_cancel_line_is_read_as_people_write_it(directory: Directory, line: str, day: date | None,
                                                  starts: time | None, reason: str) -> None:
    cmds, problems = parse(line, directory)
    assert problems == []
    assert cmds == [CancelMeeting(REF, day, starts, reason, 1)]


def test_a_cancel_line_outlook_wrapped_is_joined_and_line_numbers_stay(directory: Directory) -> None:
    text = ("Hi all,\nCancel the meeting for HR-2026-0041 on 03/12/2026 14:00: the family have moved\n"
            "out of the borough last week\nDone: A-3")
    cmds, problems = parse(text, directory)
    assert problems == []
    assert cmds[0] == CancelMeeting(REF, date(2026, 12, 3), time(14),
                                    "the family have moved out of the borough last week", 2)
    assert cmds[1].line == 4
    # A short line and its signature are two lines: nothing is joined.
    cmds, _ = parse("Cancel meeting HR-2026-0041: family moved\nSam", directory)
    assert cmds == [CancelMeeting(REF, None, None, "family moved", 1)]


@pytest.mark.parametrize(("line", "why"), [
    ("Cancel meeting HR-2026-0041", "say why it is cancelled"),
    ("Cancel meeting HR-2026-0041:", "say why it is cancelled"),
    ("Cancel meeting HR-2026-0041 on 03/12/2026 25:00: moved", "not a time of day"),
])
def test_a_cancel_line_without_its_reason_or_with_a_bad_time_cancels_nothing(
        directory: Directory, line: str, why: str) -> None:
    cmds, problems = parse(line, directory)
    assert cmds == []
    assert len(problems) == 1 and why in problems[0] and "did you mean 'Cancel meeting HR-2026-0041" in problems[0]


def test_prose_about_cancelling_is_not_an_instruction(directory: Directory) -> None:
    assert parse("Can we cancel the meeting for HR-2026-0041?", directory, CHAIR)[0] == []
    assert parse("Cancelled meeting notes attached", directory)[0] == []


def test_explain_shows_the_cancel_line_as_it_was_read(directory: Directory) -> None:
    cmds, _ = parse("Cancel meeting HR-2026-0041 on 03/12/2026 14:00: family moved", directory)
    reading = Reading(Verdict.ACCEPTED, None, CHAIR, "", commands=tuple(cmds))
    assert as_dict(reading)["commands"] == [{
        "kind": "cancel_meeting", "case": REF, "day": "2026-12-03", "starts": "14:00:00",
        "reason": "family moved", "line": 1}]


def test_in_a_sitting_s_thread_its_case_s_lines_are_for_the_sitting() -> None:
    sitting = Sitting("daily", REF, "strategy discussion", date(2026, 12, 3), time(14), ("cnwl",), "a@b", "c")
    commands = (RequirePartners(REF, ("spa",), 1), Apologies(None, "in court", 2),
                CancelMeeting(REF, None, None, "moved", 3), RequirePartners("HR-2026-0099", ("spa",), 4))
    out, sorry = in_thread(commands, sitting)
    assert out == (CallMeeting(REF, "strategy discussion", date(2026, 12, 3), time(14), ("spa",), 1),
                   CancelMeeting(REF, date(2026, 12, 3), time(14), "moved", 3),
                   RequirePartners("HR-2026-0099", ("spa",), 4))  # another case: its own meeting's
    assert sorry == (Apologies(None, "in court", 2),)
