"""The checks that keep the record sound: no case closed or declined with its actions left open,
unless the decision withdraws them."""

from __future__ import annotations

from datetime import date

from mailbot.core.actions import ActionView, MeetingRecord, plan_chair
from mailbot.core.agenda import CaseView
from mailbot.core.commands import parse_commands
from mailbot.core.directory import Directory
from mailbot.core.model import Command, DecideCase, Decision, Sender

MONDAY = date(2026, 11, 23)
CHAIR = Sender("adultmash@hillingdon.example", "asc", True)
REF = "HR-2026-0041"


def parse(text: str, directory: Directory) -> tuple[list[Command], list[str]]:
    return parse_commands(text, sender=CHAIR, directory=directory, reference_prefix="HR", today=MONDAY)


def test_a_decision_can_withdraw_the_cases_actions(directory: Directory) -> None:
    cmds, problems = parse(f"Decision {REF}: closed - risk reduced; withdraw A-3, A-4", directory)
    assert cmds == [DecideCase(REF, Decision.CLOSED, "risk reduced", 1, (3, 4))]
    assert problems == []
    cmds, _ = parse(f"Decision {REF}: declined - not high risk, withdrawing actions A-7 and A-8.", directory)
    assert cmds == [DecideCase(REF, Decision.DECLINED, "not high risk", 1, (7, 8))]


def test_withdrawing_is_no_reason(directory: Directory) -> None:
    cmds, problems = parse(f"Decision {REF}: closed; withdraw A-3", directory)
    assert cmds == []
    assert "needs its rationale" in problems[0]


def action(number: int, case: str = REF, status: str = "open") -> ActionView:
    return ActionView(number, case, "jane@met.police.example", "police", date(2026, 11, 27), "visit", status)


def record(*open_actions: ActionView) -> MeetingRecord:
    case = CaseView(REF, "T.W.", "threats", "police", ("police",))
    return MeetingRecord((), {REF: case}, {}, {REF: open_actions})


def decide(text: str, directory: Directory, rec: MeetingRecord) -> tuple[list[int], list[str], int]:
    cmds, problems = parse(text, directory)
    assert problems == []
    plan = plan_chair(cmds, rec, directory, replace=False)
    return [n for n, _ in plan.withdrawn_with], plan.problems, len(plan.decisions)


def test_closing_a_case_with_open_actions_is_refused_with_the_list(directory: Directory) -> None:
    withdrawn, problems, decided = decide(f"Decision {REF}: closed - risk reduced", directory,
                                          record(action(3), action(4)))
    assert (withdrawn, decided) == ([], 0)
    assert problems == [
        f"line 1: {REF} was not closed: it still has open actions: A-3 (jane@met.police.example, due Fri 27 "
        f"Nov 2026); A-4 (jane@met.police.example, due Fri 27 Nov 2026). Withdraw them with the "
        f"decision, like 'Decision {REF}: closed - risk reduced; withdraw A-3, A-4', or report them done "
        "first"]


def test_closing_with_the_actions_withdrawn_records_both(directory: Directory) -> None:
    assert decide(f"Decision {REF}: closed - risk reduced; withdraw A-3, A-4", directory,
                  record(action(3), action(4))) == ([3, 4], [], 1)


def test_withdrawing_only_some_of_the_open_actions_is_refused(directory: Directory) -> None:
    withdrawn, problems, decided = decide(f"Decision {REF}: declined - not high risk; withdraw A-3",
                                          directory, record(action(3), action(4)))
    assert (withdrawn, decided) == ([], 0)
    assert "still has open actions: A-4" in problems[0]


def test_an_action_that_is_not_the_cases_is_not_withdrawn(directory: Directory) -> None:
    withdrawn, problems, decided = decide(f"Decision {REF}: accepted; withdraw A-9", directory,
                                          record(action(3)))
    assert (withdrawn, decided) == ([], 0)
    assert problems == [f"line 1: A-9 is not an open action of {REF}; nothing on this line was recorded"]


def test_accepting_a_case_leaves_its_actions_open(directory: Directory) -> None:
    assert decide(f"Decision {REF}: accepted", directory, record(action(3))) == ([], [], 1)


def test_actions_agreed_in_the_same_lines_are_the_closing_actions(directory: Directory) -> None:
    cmds, _ = parse(f"Action: {REF} | jane@met.police.example | 27/11/2026 | visit\n"
                    f"Decision {REF}: closed - risk reduced", directory)
    plan = plan_chair(cmds, record(), directory)
    assert (len(plan.new), len(plan.decisions), plan.problems) == (1, 1, [])
    # The same plan corrected later names its stored action again: still the closing action.
    stored = MeetingRecord((action(3),), record().cases, {}, {REF: (action(3),)})
    cmds, _ = parse(f"Action: {REF} | jane@met.police.example | 27/11/2026 | visit\n"
                    f"Decision {REF}: closed - risk reduced, engaged", directory)
    plan = plan_chair(cmds, stored, directory)
    assert (len(plan.decisions), plan.problems) == (1, [])
