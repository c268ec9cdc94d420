"""``Lead <ref>: <email>``: read strictly, allowed to a coordinator or the referrer only."""

from __future__ import annotations

from dataclasses import replace

from mailbot.core.agenda import CaseView
from mailbot.core.directory import Directory
from mailbot.core.lead import LeadSet, plan_lead
from mailbot.core.model import SetLead
from tests.core.test_commands import CHAIR, CNWL, POLICE, parse

CASE = CaseView("HR-2026-0041", "T.W.", "threats", "police", ("police", "cnwl"))


def test_a_lead_line_names_the_case_and_an_email_address(directory: Directory) -> None:
    cmds, problems = parse("Lead HR-2026-41: Jane.Smith@met.police.example\n"
                           "- lead for hr-2026-0042 : <sam@cnwl.example>", directory)
    assert cmds == [SetLead("HR-2026-0041", "Jane.Smith@met.police.example", 1),
                    SetLead("HR-2026-0042", "sam@cnwl.example", 2)]
    assert problems == []


def test_a_lead_that_is_not_an_email_address_is_told_back_with_the_form(directory: Directory) -> None:
    cmds, problems = parse("Lead HR-2026-0041: DS Jane Smith", directory)
    assert cmds == []
    assert problems == ["line 1: 'Lead HR-2026-0041: DS Jane Smith' was not read: the lead is named by "
                        "their email address; did you mean 'Lead HR-2026-0041: <email address>'?"]


def test_prose_about_a_lead_is_not_an_instruction(directory: Directory) -> None:
    assert parse("Lead agency: Police, who will visit", directory) == ([], [])


def test_the_referrer_or_a_coordinator_may_name_the_lead_and_nobody_else(directory: Directory) -> None:
    known = {CASE.reference: CASE}
    command = SetLead("HR-2026-0041", "jane.smith@met.police.example", 3)
    for sender in (POLICE, CHAIR):
        change, line, problem = plan_lead(command, sender, known, directory)
        assert change == LeadSet("HR-2026-0041", "jane.smith@met.police.example", "") and not problem
        assert line == "HR-2026-0041: the lead coordinating professional is now jane.smith@met.police.example"
    change, line, problem = plan_lead(command, CNWL, known, directory)
    assert change is None and problem
    assert "only the referrer (Metropolitan Police) or a coordinator" in line


def test_a_new_lead_replaces_the_old_and_says_so(directory: Directory) -> None:
    led = replace(CASE, lead="old@met.police.example")
    known = {CASE.reference: led}
    change, line, _ = plan_lead(SetLead(CASE.reference, "new@met.police.example", 1), CHAIR, known, directory)
    assert change is not None and change.was == "old@met.police.example"
    assert line.endswith("(was old@met.police.example)")
    again = plan_lead(SetLead(CASE.reference, "OLD@met.police.example", 1), CHAIR, known, directory)
    assert again[0] is None and not again[2]  # already the lead: nothing changes, nothing wrong


def test_a_case_of_another_meeting_is_not_known_here(directory: Directory) -> None:
    change, line, problem = plan_lead(SetLead("HR-2026-0099", "a@b.example", 2), CHAIR, {}, directory)
    assert change is None and problem and "not a case of this meeting" in line
