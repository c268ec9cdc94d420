"""``Meeting <ref>: [kind] <date> <time> - <partners>``: a one-off sitting for one case, read
as partners write it, and never called on a guess."""

from __future__ import annotations

from datetime import date, time

import pytest

from mailbot.core.call_reader import DEFAULT_KIND, read_call
from mailbot.core.directory import Directory
from mailbot.core.model import CallMeeting, Reading, Verdict
from mailbot.explain import as_dict
from tests.core.test_commands import CHAIR, MONDAY, parse

THURSDAY = date(2026, 11, 26)


@pytest.mark.parametrize(("line", "kind", "day", "starts", "partners"), [
    ("Meeting HR-2026-0041: 26/11/2026 14:00 - Police, ASC, CNWL", DEFAULT_KIND, THURSDAY, time(14),
     ("police", "asc", "cnwl")),
    ("Meeting HR-2026-0041: 26/11/2026 2pm - Police, ASC and CNWL", DEFAULT_KIND, THURSDAY, time(14),
     ("police", "asc", "cnwl")),
    ("  meeting   hr-2026-41 :   26/11/2026   14:00  -  Police ,  CNWL  ", DEFAULT_KIND, THURSDAY, time(14),
     ("police", "cnwl")),
    ("Meeting HR-2026-0041: professionals' meeting 26/11/2026 14:00 - Police, ASC", "professionals' meeting",
     THURSDAY, time(14), ("police", "asc")),
    ("- Meeting HR-2026-0041: best-interest meeting on Thursday 26 November at 10.30 - Mental Health",
     "best-interest meeting", THURSDAY, time(10, 30), ("cnwl",)),
    ("Meeting HR-2026-0041: Strategy Discussion 2026-11-26 9:15 am – Met & Adults MASH", "strategy discussion",
     THURSDAY, time(9, 15), ("police", "asc")),
    ("Meeting HR-2026-0041: 26.11.26 12:00 with Police", DEFAULT_KIND, THURSDAY, time(12), ("police",)),
    ("Meeting HR-2026-0041: tomorrow noon - SPA", DEFAULT_KIND, date(2026, 11, 24), time(12), ("spa",)),
])
def test_a_meeting_line_is_read_as_partners_write_it(directory: Directory, line: str, kind: str, day: date,
                                                     starts: time, partners: tuple[str, ...]) -> None:
    cmds, problems = parse(line, directory)
    assert problems == []
    assert cmds == [CallMeeting("HR-2026-0041", kind, day, starts, partners, 1)]


def test_a_line_outlook_wrapped_is_joined_and_line_numbers_stay(directory: Directory) -> None:
    text = ("Hello,\nMeeting HR-2026-0041: professionals' meeting 26/11/2026 14:00 - Police, ASC,\n"
            "CNWL\nDone: A-3")
    cmds, problems = parse(text, directory)
    assert problems == []
    assert cmds[0] == CallMeeting("HR-2026-0041", "professionals' meeting", THURSDAY, time(14),
                                  ("police", "asc", "cnwl"), 2)
    assert cmds[1].line == 4
    long_wrap = "Meeting HR-2026-0041: professionals' meeting on Thursday 26 November 2026\n14:00 - Police"
    cmds, problems = parse(long_wrap, directory)
    assert problems == [] and [c.day for c in cmds if isinstance(c, CallMeeting)] == [THURSDAY]


def test_an_unknown_partner_calls_nothing_and_is_named_back(directory: Directory) -> None:
    cmds, problems = parse("Meeting HR-2026-0041: 26/11/2026 14:00 - Police, Fire Brigade", directory)
    assert cmds == []
    assert problems[0].startswith("line 1: unknown partner 'Fire Brigade' (known: ASC, ")
    assert problems[1] == ("line 1: no meeting was called for HR-2026-0041; write the partners as the "
                           "case call names them and send the line again")


@pytest.mark.parametrize(("line", "why"), [
    ("Meeting HR-2026-0041: 20/11/2026 14:00 - Police", "that date has passed"),
    ("Meeting HR-2026-0041: 31/11/2026 14:00 - Police", "give the date, like 03/12/2026"),
    ("Meeting HR-2026-0041: 26/11/2027 14:00 - Police", "more than a year away"),
    ("Meeting HR-2026-0041: 26/11/2026 - Police", "give the time, like 14:00"),
    ("Meeting HR-2026-0041: 26/11/2026 25:00 - Police", "not a time of day"),
    ("Meeting HR-2026-0041: 26/11/2026 14:00", "name the partners after the time"),
    ("Meeting HR-2026-0041: next week sometime", "give the time"),
])
def test_what_cannot_be_read_safely_is_told_back_with_the_form(directory: Directory, line: str, why: str
                                                                ) -> None:
    cmds, problems = parse(line, directory)
    assert cmds == []
    assert len(problems) == 1 and why in problems[0]
    assert "did you mean 'Meeting HR-2026-0041: <dd/mm/yyyy> <hh:mm> - <partners>'?" in problems[0]


def test_a_reference_of_another_meeting_is_not_a_case_reference_here(directory: Directory) -> None:
    cmds, problems = parse("Meeting CCP-2026-0007: 26/11/2026 14:00 - Police", directory)
    assert cmds == [] and "is not a case reference" in problems[0]


def test_prose_about_a_meeting_is_not_an_instruction(directory: Directory) -> None:
    assert parse("Meeting went well, thanks all", directory) == ([], [])
    assert parse("Meeting notes attached", directory, CHAIR) == ([], [])
    assert parse("Meeting HR-2026-0041 went well, the family engaged", directory) == ([], [])
    cmds, _ = parse("Meeting HR-2026-0041 26/11/2026 14:00 - Police", directory)  # whole: read
    assert [c.case for c in cmds if isinstance(c, CallMeeting)] == ["HR-2026-0041"]


def test_the_time_is_never_taken_from_the_date() -> None:
    call = read_call("03.12.2026 14:00 - Police", MONDAY)
    assert not isinstance(call, str) and (call.day, call.starts) == (date(2026, 12, 3), time(14))


def test_explain_shows_the_meeting_line_as_it_was_read(directory: Directory) -> None:
    cmds, _ = parse("Meeting HR-2026-0041: 26/11/2026 14:00 - Police", directory)
    reading = Reading(Verdict.ACCEPTED, None, CHAIR, "", commands=tuple(cmds))
    assert as_dict(reading)["commands"] == [{
        "kind": "call_meeting", "case": "HR-2026-0041", "meeting_kind": DEFAULT_KIND, "day": "2026-11-26",
        "starts": "14:00:00", "partners": ["police"], "line": 1}]
