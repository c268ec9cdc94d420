"""The reply grammar, as partners type it."""

from __future__ import annotations

import time
from datetime import date

import pytest

from mailbot.core.commands import Parsed, parse_commands, read_commands
from mailbot.core.directory import Directory
from mailbot.core.model import (
    ActionStatus,
    ActionUpdate,
    AddAction,
    AddCase,
    Apologies,
    Command,
    ReadAs,
    RequirePartners,
    Sender,
    StatusRequest,
    WithdrawCase,
)

MONDAY = date(2026, 11, 23)
POLICE = Sender("jane@met.police.example", "police", False)
CNWL = Sender("cnwl.highrisk@cnwl.example", "cnwl", False)
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


def read(text: str, directory: Directory, sender: Sender = POLICE) -> Parsed:
    return read_commands(text, sender=sender, directory=directory, reference_prefix="HR", today=MONDAY)


@pytest.mark.parametrize(
    ("line", "canonical", "status", "note"),
    [
        ("A-1 done", "Done: A-1", ActionStatus.DONE, ""),
        ("Done A-1", "Done: A-1", ActionStatus.DONE, ""),
        ("Done - A-1", "Done: A-1", ActionStatus.DONE, ""),
        ("Completed: A-1", "Done: A-1", ActionStatus.DONE, ""),
        ("Complete A1", "Done: A-1", ActionStatus.DONE, ""),
        ("Finished - a-1", "Done: A-1", ActionStatus.DONE, ""),
        ("A-1 completed.", "Done: A-1", ActionStatus.DONE, ""),
        ("A-1 done, thanks", "Done: A-1", ActionStatus.DONE, ""),
        ("A-1: cannot complete - moved", "Cannot complete: A-1 - moved", ActionStatus.CANNOT, "moved"),
        ("Cannot complete A-1 family moved away", "Cannot complete: A-1 family moved away",
         ActionStatus.CANNOT, "family moved away"),
        ("Unable to complete: A-1 - no access", "Cannot complete: A-1 - no access",
         ActionStatus.CANNOT, "no access"),
        ("A-1 - update: visit booked", "Update: A-1 - visit booked", ActionStatus.UPDATE, "visit booked"),
        ("Update A-1 visit booked", "Update: A-1 visit booked", ActionStatus.UPDATE, "visit booked"),
        ("Progress: A-1 - letter sent", "Update: A-1 - letter sent", ActionStatus.UPDATE, "letter sent"),
    ],
)
def test_action_updates_as_partners_type_them_are_read_and_told_back(
        directory: Directory, line: str, canonical: str, status: ActionStatus, note: str) -> None:
    parsed = read(f"Hi all\n{line}", directory)
    assert parsed.commands == (ActionUpdate("A-1", status, note, 2),)
    assert parsed.read_as == (ReadAs(2, line, canonical),)
    assert parsed.problems == () and parsed.instructions == {2}


def test_the_strict_forms_are_not_told_back(directory: Directory) -> None:
    parsed = read("Done: A-1\nDone:A-2\n- Update : A-3 - visit booked\nCase: T.W. - threats", directory)
    assert len(parsed.commands) == 4 and parsed.read_as == () and parsed.problems == ()


def test_a_list_of_actions_is_one_update_each(directory: Directory) -> None:
    parsed = read("Done: A-1, A-2 and A-3\nCannot complete: A-4 & A-5 - family moved", directory)
    assert parsed.commands == (
        ActionUpdate("A-1", ActionStatus.DONE, "", 1),
        ActionUpdate("A-2", ActionStatus.DONE, "", 1),
        ActionUpdate("A-3", ActionStatus.DONE, "", 1),
        ActionUpdate("A-4", ActionStatus.CANNOT, "family moved", 2),
        ActionUpdate("A-5", ActionStatus.CANNOT, "family moved", 2),
    )


@pytest.mark.parametrize(
    ("line", "canonical", "subject", "concern"),
    [
        ("Case T.W. - threats to neighbour", "Case: T.W. - threats to neighbour", "T.W.",
         "threats to neighbour"),
        ("New case - T.W. - threats", "Case: T.W. - threats", "T.W.", "threats"),
        ("Referral: T.W. - threats", "Case: T.W. - threats", "T.W.", "threats"),
        ("Add case T.W - threats", "Case: T.W - threats", "T.W", "threats"),
        ("Case: G.L., 84, bruising", "Case: G.L. - 84, bruising", "G.L.", "84, bruising"),
    ],
)
def test_case_lines_as_partners_type_them(directory: Directory, line: str, canonical: str,
                                          subject: str, concern: str) -> None:
    parsed = read(line, directory)
    assert parsed.commands == (AddCase(subject, concern, ("police",), 1),)
    assert parsed.read_as == (ReadAs(1, line, canonical),)
    assert parsed.problems == ()


def test_partners_needed_under_a_case_adds_to_that_case(directory: Directory) -> None:
    parsed = read("Case: T.W. - threats\nPartners needed: CNWL, CSC\nPartners to attend - ASBIT", directory)
    assert parsed.commands == (AddCase("T.W.", "threats", ("police", "cnwl", "childrens", "asbit"), 1),)
    assert parsed.read_as == (ReadAs(2, "Partners needed: CNWL, CSC", "Partners: CNWL, CSC"),
                              ReadAs(3, "Partners to attend - ASBIT", "Partners: ASBIT"))


def test_partners_for_a_case_with_a_dash(directory: Directory) -> None:
    parsed = read("Partners for HR-2026-0041 - CNWL\nPartners required for HR-2026-42: SPA", directory)
    assert parsed.commands == (RequirePartners("HR-2026-0041", ("cnwl",), 1),
                               RequirePartners("HR-2026-0042", ("spa",), 2))
    assert [a.canonical for a in parsed.read_as] == ["Partners for HR-2026-0041: CNWL",
                                                     "Partners for HR-2026-42: SPA"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("Done A1x", "'Done A1x' was not read: did you mean 'Done: A-1'?"),
        ("Cannot complete A 7x", "'Cannot complete A 7x' was not read: did you mean "
                                 "'Cannot complete: A-7 - <reason>'?"),
        ("Case T.W. threats to neighbour", "'Case T.W. threats to neighbour' was not read: did you mean "
                                           "'Case: T.W. - threats to neighbour'?"),
        ("Partners for HR-2026-0041 CNWL", "'Partners for HR-2026-0041 CNWL' was not read: did you mean "
                                           "'Partners for HR-2026-0041: CNWL'?"),
        ("Action HR-2026-0041 | a@b.example | Friday | visit",
         "'Action HR-2026-0041 | a@b.example | Friday | visit' was not read: did you mean "
         "'Action: HR-2026-0041 | a@b.example | Friday | visit'?"),
        ("Decision HR-2026-0041 declined - no risk", "'Decision HR-2026-0041 declined - no risk' was not "
         "read: did you mean 'Decision for HR-2026-0041: declined - no risk'?"),
    ],
)
def test_a_line_meant_as_an_instruction_is_quoted_with_the_nearest_form(
        directory: Directory, line: str, problem: str) -> None:
    parsed = read(f"Hello\n\n{line}", directory, sender=CHAIR)
    assert parsed.commands == ()
    assert parsed.problems == (f"line 3: {problem}",)
    assert parsed.instructions == {3}


@pytest.mark.parametrize(
    "line",
    [
        "Action HR-2026-0041 jane@met.police.example Friday visit",
        "Action: HR-2026-0041 | jane@met.police.example | visit",
        "Decision for HR-2026-0041: declined",
        "Decision for HR-2026-0041: rejected - no role",
    ],
)
def test_actions_and_decisions_are_never_guessed(directory: Directory, line: str) -> None:
    parsed = read(line, directory, sender=CHAIR)
    assert parsed.commands == () and len(parsed.problems) == 1 and parsed.read_as == ()


def test_an_update_without_an_action_id_is_news_for_a_person(directory: Directory) -> None:
    parsed = read("Update: mum has moved to Slough", directory)
    assert parsed == Parsed((), (), (), frozenset())


def test_prose_that_mentions_the_words_is_not_read(directory: Directory) -> None:
    text = ("Case study went well\nDone.\nCompleted the home visit yesterday, all fine\n"
            "Partners are aware\nUpdate on T.W. to follow\nA-1 done?\nDone A-2 not yet\n"
            "A-3 completed, still to send the letter\nDone A-4?")
    assert read(text, directory) == Parsed((), (), (), frozenset())


def test_apologies_in_the_grammar(directory: Directory) -> None:
    cmds, problems = parse("Apologies\nApologies: in court all day\nApologies for HR-2026-41\n"
                           "Apologies for hr-2026-0042: officer on leave\n"
                           "Apologies for case HR-2026-0043 - no update yet", directory)
    assert cmds == [
        Apologies(None, "", 1),
        Apologies(None, "in court all day", 2),
        Apologies("HR-2026-0041", "", 3),
        Apologies("HR-2026-0042", "officer on leave", 4),
        Apologies("HR-2026-0043", "no update yet", 5),
    ]
    assert problems == []


def test_absence_in_the_senders_own_words_is_apologies_told_back(directory: Directory) -> None:
    text = ("Apologies, CNWL cannot attend today\nSorry, we can't make today's call\n"
            "Unable to attend today\nPlease accept apologies from CNWL\nApologies all, can't make it today")
    parsed = read_commands(text, sender=CNWL, directory=directory, reference_prefix="HR", today=MONDAY)
    assert parsed.commands == (
        Apologies(None, "CNWL cannot attend today", 1),
        Apologies(None, "we can't make today's call", 2),
        Apologies(None, "Unable to attend today", 3),
        Apologies(None, "", 4),
        Apologies(None, "can't make it today", 5),
    )
    assert parsed.read_as == (
        ReadAs(1, "Apologies, CNWL cannot attend today", "Apologies: CNWL cannot attend today"),
        ReadAs(2, "Sorry, we can't make today's call", "Apologies: we can't make today's call"),
        ReadAs(3, "Unable to attend today", "Apologies: Unable to attend today"),
        ReadAs(4, "Please accept apologies from CNWL", "Apologies"),
        ReadAs(5, "Apologies all, can't make it today", "Apologies: can't make it today"),
    )
    assert parsed.problems == () and parsed.instructions == {1, 2, 3, 4, 5}


def test_courtesy_and_case_prose_are_not_apologies(directory: Directory) -> None:
    text = ("Apologies for the late reply\nApologies for the delay.\n"
            "Police cannot attend the address until Friday\nMum can't make the meeting\n"
            "Can anyone not attend today?\nI might not be able to make today\n"
            "We can't attend today but Sam Patel will dial in\nJane can't make it today, Sam will cover\n"
            "Can't make it today, DC Patel is covering for me")
    parsed = read_commands(text, sender=POLICE, directory=directory, reference_prefix="HR", today=MONDAY)
    assert parsed.commands == () and parsed.problems == () and parsed.instructions == set()


def test_apologies_for_another_agency_are_not_recorded(directory: Directory) -> None:
    cmds, problems = parse("Please accept apologies from CNWL", directory, sender=POLICE)
    assert cmds == []
    cmds, _ = parse("Please accept apologies from CNWL for today's meeting", directory, sender=POLICE)
    assert cmds == []
    assert problems == ["line 1: 'Please accept apologies from CNWL' was not read: apologies are "
                        "recorded only for your own agency (Metropolitan Police); "
                        "Central and North West London NHS Mental Health Trust should send their own"]


def test_a_withdrawal_needs_its_reason(directory: Directory) -> None:
    cmds, problems = parse("Withdraw HR-2026-0041: family moved out of borough\n"
                           "Withdraw: HR-2026-42 - risk now managed by CSC\n"
                           "Withdraw case HR-2026-0043 – duplicate of HR-2026-0040\n"
                           "Withdraw HR-2026-0044\nwithdraw that one please", directory)
    assert cmds == [
        WithdrawCase("HR-2026-0041", "family moved out of borough", 1),
        WithdrawCase("HR-2026-0042", "risk now managed by CSC", 2),
        WithdrawCase("HR-2026-0043", "duplicate of HR-2026-0040", 3),
    ]
    assert problems == [
        "line 4: 'Withdraw HR-2026-0044' was not read: a withdrawal needs its reason for the record; "
        "did you mean 'Withdraw HR-2026-0044: <reason>'?",
        "line 5: 'withdraw that one please' was not read: did you mean 'Withdraw HR-2026-0041: <reason>'?",
    ]


def test_long_runs_of_spaces_after_any_keyword_are_read_in_linear_time(directory: Directory) -> None:
    keywords = ["case", "new case -", "partners needed", "action", "done", "A-1", "withdraw", "apologies",
                "decision HR-2026-0041", "Sorry, we can't make", "status", "stop"]
    started = time.perf_counter()
    for keyword in keywords:
        for filler in (" ", "\t", " -", ":"):
            read(keyword + filler * (1990 // len(filler)) + "x", directory)
    assert time.perf_counter() - started < 1.0  # a quadratic pattern takes seconds here


def test_quoted_words_have_one_clear_end_and_a_bounded_length(directory: Directory) -> None:
    # An answer to a reference-level address withholds what is quoted; a quote that ends
    # at the sender's own apostrophe would let the rest of the line through.
    parsed = read("Withdraw that one, it's Mum's case\nCase T.W. " + "x" * 500, directory)
    assert parsed.problems[0] == ("line 1: 'Withdraw that one, it’s Mum’s case' was not read: "
                                  "did you mean 'Withdraw HR-2026-0041: <reason>'?")
    assert len(parsed.problems[1]) < 500 and "…' was not read" in parsed.problems[1]


def test_an_id_that_cannot_be_read_is_never_dropped_from_a_list(directory: Directory) -> None:
    parsed = read("Done: A-1, A-2x\nUpdate: A1x visit booked\nDone: A-3 and A-4 and a-5", directory)
    assert parsed.problems == (
        "line 1: 'Done: A-1, A-2x' was not read: did you mean 'Done: A-1, A-2'?",
        "line 2: 'Update: A1x visit booked' was not read: did you mean 'Update: A-1 - <news>'?",
    )
    assert parsed.commands == tuple(ActionUpdate(f"A-{n}", ActionStatus.DONE, "", 3) for n in (3, 4, 5))


def test_a_long_email_of_instructions_is_read_in_linear_time(directory: Directory) -> None:
    started = time.perf_counter()
    parsed = read("Done: A-1, A-2\n" * 25_000 + "Apologies\n" * 25_000, directory)
    assert len(parsed.commands) == 75_000
    assert time.perf_counter() - started < 3.0  # copying what was read at every line took 5 s


def test_initials_must_be_initials_never_a_name(directory: Directory) -> None:
    for initials in ("T.W.", "TW", "J-P.S.", "Z.Ö."):
        cmds, problems = parse(f"Case: {initials} - threats to neighbour", directory)
        assert len(cmds) == 1 and problems == [], initials
    for name in ("Tom Walker", "T.W.X.Y.Z.", "1234"):
        cmds, problems = parse(f"Case: {name} - threats to neighbour", directory)
        assert cmds == []
        assert f"'{name}' is not initials: give 1 to 4 letters, like 'Case: T.W. - " in problems[0]
