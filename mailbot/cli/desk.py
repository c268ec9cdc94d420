"""The coordinator's desk: cases and actions. Each sub-command is one small function that
declares its options (so ``--help`` shows only its own) beside one that runs it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from mailbot.cli.common import (
    Add,
    _actor,
    _as_option,
    _date_arg,
    _meeting_id,
    _meeting_option,
    _partner,
    _send_now,
    _services,
)
from mailbot.cli.minutes import filed_by_hand
from mailbot.cli.oneoff import describe
from mailbot.cli.tables import history_rows, plural, source, table

if TYPE_CHECKING:
    from datetime import date

    from mailbot.services import Services

REFERENCE = "the case, e.g. HR-2026-0041"


def cases_commands(add: Add) -> None:
    for declare in (cases_list, cases_show, cases_add, cases_decide):
        declare(add)


def actions_commands(add: Add) -> None:
    for declare in (actions_list, actions_show, actions_add):
        declare(add)


def _case(services: Services, reference: str, meeting_id: str | None = None) -> str:
    """A case reference given on the command line, known to the database (else an error)."""
    ref = reference.strip().upper()
    services.queries.case(ref, meeting_id)
    return ref


# -- cases ------------------------------------------------------------------------------

def cases_list(add: Add) -> None:
    p = add("list", cmd_cases_list, "a meeting day's cases and who is required")
    p.add_argument("--date", type=_date_arg, metavar="DATE",
                   help="the meeting day, e.g. 27/11/2026, Friday, tomorrow (default the next meeting)")
    _meeting_option(p, "; default every meeting")


def cmd_cases_list(args: argparse.Namespace) -> int:
    services = _services(args)
    # Every meeting under its own heading, unless one is asked for (an unknown id is an error).
    ident = _meeting_id(args)
    meetings = [services.queries.meeting(ident)] if ident else services.settings.meetings
    for meeting in meetings:
        _list_meeting(services, meeting.id, args.date or (args.meeting.day if args.meeting else None))
    return 0


def _list_meeting(services: Services, meeting_id: str, given: date | None) -> None:
    meeting = services.room(meeting_id).settings
    day = given or services.calendars[meeting.id].meeting_for(services.clock.now())
    view = services.queries.day(day, meeting.id)
    d = services.settings.directory
    print(f"{meeting.name}: {day:%A} {day.day} {day:%B %Y}, {plural(len(view.cases), 'case')}")
    for case in view.cases:
        names = ", ".join(d.get(p).name for p in case.partners)
        print(f"  {case.reference}  {case.subject}  {case.concern}")
        print(f"      referred by {d.get(case.referrer).name if case.referrer else '-'}; required: {names}")
    required = view.required(d)
    print(f"required: {', '.join(d.get(c).name for c in required) or 'nobody'}")


def cases_show(add: Add) -> None:
    p = add("show", cmd_case_show, "one case's partners, actions and whole history")
    p.add_argument("reference", help=REFERENCE)
    _meeting_option(p)


def cmd_case_show(args: argparse.Namespace) -> int:
    services = _services(args)
    record = services.queries.case(args.reference.strip().upper(), _meeting_id(args))
    case = record.case
    d = services.settings.directory
    print(f"{case.reference}  {case.subject}  {case.concern}  ({case.status})")
    print(f"  referred by {d.get(case.referrer).name if case.referrer else '-'}; "
          f"required: {', '.join(d.get(p).name for p in case.partners)}")
    if case.lead:
        print(f"  lead professional: {case.lead}")
    for sitting in record.sittings:
        names = ", ".join(d.get(p).name for p in sitting.partners)
        print(f"  one-off meeting: {describe(sitting)}; invited: {names}")
    for a in record.actions:
        print(f"  {a.ident}  {a.status}  due {a.due:%a %d %b %Y}  {a.owner}: {a.text}")
    print("  history:")
    rows = history_rows(record.history, services.settings.bot.zone, case=False)
    for line in table(["time", "who", "what", "details"], rows, indent="    "):
        print(line)
    return 0


def cases_add(add: Add) -> None:
    p = add("add", cmd_cases_add, "add a case by hand (the same rules as an emailed case)")
    p.add_argument("--initials", required=True, help="the person's initials, e.g. T.W.")
    p.add_argument("--concern", required=True, help="the new concern")
    p.add_argument("--referrer", required=True, help="the referring partner, e.g. Police")
    p.add_argument("--partners", help="partners needed, e.g. 'Police, CSC'")
    _meeting_option(p)
    _as_option(p)


def cmd_cases_add(args: argparse.Namespace) -> int:
    services = _services(args)
    referrer = _partner(services.settings, args.referrer)
    result = services.add_case_by_hand(subject=args.initials, concern=args.concern,
                                       partners=args.partners or "", referrer=referrer.code,
                                       actor=_actor(args), meeting_id=_meeting_id(args))
    for line in result.done:
        print(line)
    for line in result.problems:
        print(f"problem: {line}", file=sys.stderr)
    _send_now(services)
    return 0 if result.done else 1


def cases_decide(add: Add) -> None:
    p = add("decide", cmd_cases_decide, "record a decision typed up from the minutes")
    p.add_argument("reference", help=REFERENCE)
    p.add_argument("decision", choices=["accepted", "declined", "closed", "strategy discussion"])
    p.add_argument("--rationale", help="why (needed for declined and closed)")
    _meeting_option(p)
    _as_option(p)


def cmd_cases_decide(args: argparse.Namespace) -> int:
    services = _services(args)
    ref = _case(services, args.reference, _meeting_id(args))
    why = f" - {args.rationale}" if args.rationale else ""
    return filed_by_hand(services, services.desk.minutes(
        f"Decision {ref}: {args.decision}{why}", _actor(args), held=_meeting_day_of(args), send=False,
        meeting_id=_meeting_id(args)))


# -- actions ----------------------------------------------------------------------------

def actions_list(add: Add) -> None:
    p = add("list", cmd_actions_list, "actions, with working days overdue")
    p.add_argument("--owner", help="only this owner's: an email address, or a partner's name")
    p.add_argument("--case", help="only this case's, e.g. HR-2026-0041")
    p.add_argument("--overdue", action="store_true", help="only open actions past their due date")
    _meeting_option(p, "; default every meeting")


def cmd_actions_list(args: argparse.Namespace) -> int:
    services = _services(args)
    case = _case(services, args.case) if args.case else None
    email = args.owner if args.owner and "@" in args.owner else None
    partner = _partner(services.settings, args.owner).code if args.owner and not email else None
    lines = [line for line in services.queries.actions(owner=email, case=case, overdue=args.overdue,
                                                       meeting_id=_meeting_id(args))
             if partner is None or line.action.owner_partner == partner]
    for line in lines:
        a = line.action
        late = f", {plural(line.working_days_overdue, 'working day')} overdue" \
            if line.working_days_overdue else ""
        print(f"{a.ident:<6} {a.case}  {a.status:<9} due {a.due:%a %d %b %Y}{late}  {a.owner}: {a.text}")
    print(plural(len(lines), "action"))
    return 0


def actions_show(add: Add) -> None:
    p = add("show", cmd_action_show, "one action with its whole history")
    p.add_argument("id", type=_action_id, help="the action, e.g. A-12")


def cmd_action_show(args: argparse.Namespace) -> int:
    services = _services(args)
    action, history = services.queries.action(args.id)
    zone = services.settings.bot.zone
    print(f"{action.ident}  {action.case}  {action.status}  due {action.due:%a %d %b %Y}")
    print(f"  owner {action.owner} ({action.owner_partner or 'outside the directory'})")
    print(f"  {action.text}")
    rows = [[f"{h['at'].astimezone(zone):%Y-%m-%d %H:%M}", h["actor"], h["status"],
             "; ".join(filter(None, [h["note"], source(h, zone)]))] for h in history]
    for line in table(["time", "who", "status", "details"], rows, indent="  "):
        print(line)
    return 0


def actions_add(add: Add) -> None:
    p = add("add", cmd_actions_add, "add an action typed up from the minutes (added, never replacing)")
    p.add_argument("--case", required=True, help="the case, e.g. HR-2026-0041")
    p.add_argument("--owner", required=True, help="the owner's email address")
    p.add_argument("--due", required=True, type=_date_arg, metavar="DATE",
                   help="the due date, e.g. 27/11/2026, 27 Nov, Friday, tomorrow")
    p.add_argument("--text", required=True, help="what is to be done")
    _meeting_option(p)
    _as_option(p)


def cmd_actions_add(args: argparse.Namespace) -> int:
    services = _services(args)
    ref = _case(services, args.case, _meeting_id(args))
    line = f"Action: {ref} | {args.owner} | {args.due.isoformat()} | {args.text}"
    return filed_by_hand(services, services.desk.minutes(
        line, _actor(args), held=_meeting_day_of(args), send=False, meeting_id=_meeting_id(args)))


def _meeting_day_of(args: argparse.Namespace) -> date | None:
    """The meeting day ``--meeting`` names, if any: the meeting the minutes line is filed under."""
    return args.meeting.day if args.meeting else None


def _action_id(text: str) -> int:
    number = text.strip().upper().removeprefix("A-")
    if not number.isdigit():
        raise argparse.ArgumentTypeError(f"not an action id (like A-12): {text!r}")
    return int(number)
