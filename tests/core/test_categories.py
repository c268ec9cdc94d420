"""A daily risk meeting's categories and decisions, read and ordered without any server."""

from __future__ import annotations

from datetime import date

import pytest

from mailbot.core.agenda import CaseView
from mailbot.core.categories import agenda_order, case_category, find_category
from mailbot.core.commands import parse_commands
from mailbot.core.decisions import described, not_allowed, read_decision
from mailbot.core.directory import Directory
from mailbot.core.model import AddCase, DecideCase, Decision, Sender

MONDAY = date(2026, 11, 23)
POLICE = Sender("jane@met.police.example", "police", False)
CHAIR = Sender("adultmash@hillingdon.example", "asc", True)
CATEGORIES = ("critical incident", "missing", "child exploitation", "gangs", "high-risk domestic abuse",
              "radicalisation")


def read(text: str, directory: Directory, sender: Sender = POLICE) -> tuple[list[AddCase], list[str]]:
    commands, problems = parse_commands(text, sender=sender, directory=directory, reference_prefix="HR",
                                        today=MONDAY)
    return [c for c in commands if isinstance(c, AddCase)], problems


def test_a_category_line_under_the_case_goes_with_that_case(directory: Directory) -> None:
    cases, problems = read("Case: A.B. - missing since Friday\nCategory: missing\nPartners: CNWL\n"
                           "Case: C.D. - stabbed outside school\nPartners: ASBIT\nCategory: Critical Incident",
                           directory)
    assert problems == []
    assert [(c.subject, c.category, c.partners) for c in cases] == [
        ("A.B.", "missing", ("police", "cnwl")), ("C.D.", "Critical Incident", ("police", "asbit"))]


def test_a_category_line_with_no_case_above_it_is_told_back(directory: Directory) -> None:
    cases, problems = read("Category: missing", directory)
    assert cases == [] and problems == ["line 1: 'Category:' must follow a 'Case:' line"]


@pytest.mark.parametrize(("written", "found"), [
    ("missing", "missing"), ("MISSING", "missing"), ("high risk domestic abuse", "high-risk domestic abuse"),
    ("Critical  incident", "critical incident"), ("critical", "critical incident"), ("radical", "radicalisation"),
    ("ce", None), ("exploitation", None), ("burglary", None), ("", None)])
def test_a_category_is_found_by_its_words_or_a_start_only_it_has(written: str, found: str | None) -> None:
    assert find_category(written, CATEGORIES) == found


def test_a_referral_is_never_lost_over_its_category() -> None:
    assert case_category("missing", CATEGORIES, "DRM-2026-0001") == ("missing", None)
    category, told = case_category("burglary", CATEGORIES, "DRM-2026-0001")
    assert category == "" and told is not None
    assert "unknown category 'burglary'" in told and "critical incident, missing, child exploitation" in told
    category, told = case_category("", CATEGORIES, "DRM-2026-0001")
    assert category == "" and told is not None and "no category given" in told
    # A meeting with no categories files nothing, and says so only if one was given.
    assert case_category("", (), "HR-2026-0001") == ("", None)
    assert case_category("missing", (), "HR-2026-0001")[1] is not None


def case(ref: str, category: str, reason: str = "new") -> CaseView:
    return CaseView(ref, "X.Y.", "concern", "police", ("police",), reason=reason, category=category)


def test_the_agenda_leads_with_overnight_critical_incidents_then_the_configured_order() -> None:
    cases = [case("DRM-1", "gangs"), case("DRM-2", ""), case("DRM-3", "critical incident", reason="review"),
             case("DRM-4", "missing"), case("DRM-5", "critical incident"), case("DRM-6", "missing"),
             case("DRM-7", "critical incident")]
    ordered = [c.reference for c in agenda_order(cases, CATEGORIES, "critical incident")]
    # New critical incidents first (as they came), then the reviewed one in its category's place,
    # then each category in order, and the case with no category last.
    assert ordered == ["DRM-5", "DRM-7", "DRM-3", "DRM-4", "DRM-6", "DRM-1", "DRM-2"]


def test_a_meeting_without_categories_keeps_the_agenda_as_it_came() -> None:
    cases = [case("HR-2", "gangs"), case("HR-1", "critical incident")]
    assert agenda_order(cases, ()) == tuple(cases)


@pytest.mark.parametrize(("rest", "decision", "why"), [
    ("accepted", Decision.ACCEPTED, ""), ("closed - risk reduced", Decision.CLOSED, "risk reduced"),
    ("Strategy Discussion - s47 threshold met", Decision.STRATEGY, "s47 threshold met"),
    ("strategy  discussion: joint visit", Decision.STRATEGY, "joint visit"),
    ("strategy - met", None, "strategy - met"), ("acceptedx", None, "acceptedx")])
def test_decision_words_are_read_whole(rest: str, decision: Decision | None, why: str) -> None:
    assert read_decision(rest) == (decision, why)


def test_a_strategy_discussion_needs_its_reason_and_a_coordinator(directory: Directory) -> None:
    commands, problems = parse_commands("Decision HR-2026-0001: strategy discussion", sender=CHAIR,
                                        directory=directory, reference_prefix="HR", today=MONDAY)
    assert commands == [] and problems == ["line 1: a case strategy discussion needs its rationale after a dash"]


def test_a_meeting_records_only_its_own_decision_words() -> None:
    decide = DecideCase("HR-2026-0001", Decision.STRATEGY, "threshold met", 1)
    kept, problems = not_allowed([decide], ("accepted", "declined", "closed"))
    assert kept == [] and problems == ["line 1: HR-2026-0001: 'strategy discussion' is not a decision of "
                                       "this meeting (use accepted, declined, closed); not recorded"]
    assert not_allowed([decide], ("accepted", "strategy discussion")) == ([decide], [])
    assert described("strategy discussion") == \
        "strategy discussion (the threshold for a joint investigation is met)"
    assert described("closed") == "closed"
