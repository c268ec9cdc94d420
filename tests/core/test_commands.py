"""The reply grammar, as partners type it."""

from __future__ import annotations

from datetime import date

from mailbot.core.commands import parse_commands
from mailbot.core.directory import Directory
from mailbot.core.model import (
    ActionStatus,
    ActionUpdate,
    AddAction,
    AddCase,
    Command,
    RequirePartners,
    Sender,
    StatusRequest,
)

MONDAY = date(2026, 11, 23)
POLICE = Sender("jane@met.police.example", "police", False)
CHAIR = Sender("adultmash@hillingdon.example", "asc", True)


def parse(text: str, directory: Directory, sender: Sender = POLICE, subject: str = ""
          ) -> tuple[list[Command], list[str]]:
    return parse_commands(text, sender=sender, directory=directory, reference_prefix="HR",
                          today=MONDAY, subject=subject)


def test_a_case_with_partners_includes_the_referrer(directory: Directory) -> None:
    cmds, problems = parse("Case: T.W. - threats\nPartners: CSC and ASBIT", directory)
    assert cmds == [AddCase("T.W.", "threats", ("police", "childrens", "asbit"), 1)]
    assert problems == []


def test_every_separator_splits_partner_names(directory: Directory) -> None:
    cmds, _ = parse("Case: A - b\nPartners: SPA, THH; HIDVA & ICB / Met and Community Safety", directory)
    assert isinstance(cmds[0], AddCase)
    assert cmds[0].partners == ("police", "spa", "thh", "hidva", "ccg", "community-safety")


def test_names_ignore_case_spacing_and_apostrophes(directory: Directory) -> None:
    cmds, problems = parse("Partners for hr-2026-41: childrens services, adults mash, MET POLICE", directory)
    assert cmds == [RequirePartners("HR-2026-0041", ("childrens", "asc", "police"), 1)]
    assert problems == []


def test_unknown_partner_is_a_problem_but_the_case_is_kept(directory: Directory) -> None:
    cmds, problems = parse("Case: O.P. - arson\nPartners: Fire Brigade, SPA", directory)
    assert cmds == [AddCase("O.P.", "arson", ("police", "spa"), 1)]
    assert len(problems) == 1
    assert "unknown partner 'Fire Brigade'" in problems[0] and "Police" in problems[0]


def test_dashes_of_every_kind_separate_initials_from_concern(directory: Directory) -> None:
    for dash in ("-", "–", "—"):
        cmds, _ = parse(f"Case: A.B. {dash} self-harm risk", directory)
        assert cmds == [AddCase("A.B.", "self-harm risk", ("police",), 1)]


def test_only_coordinators_record_actions(directory: Directory) -> None:
    line = "Action: HR-2026-0041 | jane@met.police.example | Friday | visit"
    cmds, problems = parse(line, directory, sender=POLICE)
    assert cmds == [] and "only a coordinator" in problems[0]
    cmds, problems = parse(line, directory, sender=CHAIR)
    assert cmds == [AddAction("HR-2026-0041", "jane@met.police.example", date(2026, 11, 27), "visit", 1)]


def test_action_updates_need_a_reason_to_say_cannot(directory: Directory) -> None:
    cmds, problems = parse("Done: A-12\nCannot complete: A-13\nCan't complete: a13 moved away", directory)
    assert cmds == [
        ActionUpdate("A-12", ActionStatus.DONE, "", 1),
        ActionUpdate("A-13", ActionStatus.CANNOT, "moved away", 3),
    ]
    assert problems == ["line 2: give a reason after the action id; this update was not recorded"]


def test_status_by_subject_or_line_is_answered_once(directory: Directory) -> None:
    cmds, _ = parse("status", directory, subject="RE: Status")
    assert cmds == [StatusRequest(0)]


def test_stop_ends_the_reading(directory: Directory) -> None:
    cmds, _ = parse("Case: A.A. - one\nend\nCase: B.B. - two", directory)
    assert [c.subject for c in cmds if isinstance(c, AddCase)] == ["A.A."]


def test_prose_is_not_a_problem(directory: Directory) -> None:
    assert parse("Nothing to add from us today.\nThanks", directory) == ([], [])


def test_a_command_without_its_colon_is_pointed_out(directory: Directory) -> None:
    cmds, problems = parse("Case T.W. - threats", directory)
    assert cmds == [] and "no colon" in problems[0]
