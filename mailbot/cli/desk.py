"""The coordinator's desk: cases and actions."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from mailbot.errors import MailbotError

if TYPE_CHECKING:
    from mailbot.services import Services
from mailbot.cli.common import _actor, _drain, _run, _services
from mailbot.cli.minutes import filed_by_hand


def cmd_cases(args: argparse.Namespace) -> int:
    if args.action == "list":
        return cmd_cases_list(args)
    if args.action == "show":
        return cmd_case_show(args)
    if args.action == "decide":
        if not (args.reference and args.decision):
            raise MailbotError("cases decide needs HR-... and accepted, declined or closed")
        why = f" - {args.rationale}" if args.rationale else ""
        services = _services(args)
        return filed_by_hand(services, services.desk.minutes(
            f"Decision {args.reference}: {args.decision}{why}", _actor(), held=getattr(args, "meeting", None),
            send=False))
    missing = [f"--{n}" for n in ("initials", "concern", "referrer") if not getattr(args, n)]
    if missing:
        raise MailbotError(f"cases add needs {', '.join(missing)}")
    return cmd_cases_add(args)


def cmd_actions(args: argparse.Namespace) -> int:
    services = _services(args)
    if args.action == "add":
        missing = [f"--{n}" for n in ("case", "owner", "due", "text") if not getattr(args, n)]
        if missing:
            raise MailbotError(f"actions add needs {', '.join(missing)}")
        return filed_by_hand(services, services.desk.minutes(
            f"Action: {args.case} | {args.owner} | {args.due} | {args.text}", _actor(),
            held=getattr(args, "meeting", None), send=False))
    if args.action == "show":
        return _show_action(services, args.id)
    actions = services.queries.actions(owner=args.owner, case=args.case, overdue=args.overdue)
    for line in actions:
        a = line.action
        late = f", {line.working_days_overdue} working days overdue" if line.working_days_overdue else ""
        print(f"{a.ident:<6} {a.case}  {a.status:<9} due {a.due:%a %d %b %Y}{late}  {a.owner}: {a.text}")
    print(f"{len(actions)} action(s)")
    return 0


def _show_action(services: Services, ident: str | None) -> int:
    if not ident or not ident.upper().removeprefix("A-").isdigit():
        raise MailbotError("actions show needs an action id, like A-12")
    action, history = services.queries.action(int(ident.upper().removeprefix("A-")))
    print(f"{action.ident}  {action.case}  {action.status}  due {action.due:%a %d %b %Y}")
    print(f"  owner {action.owner} ({action.owner_partner or 'outside the directory'})")
    print(f"  {action.text}")
    for h in history:
        source = f" [email {h['message_key']}]" if h["message_key"] else ""
        print(f"  {h['at']:%Y-%m-%d %H:%M}  {h['actor']}  {h['status']}  {h['note']}{source}")
    return 0


def cmd_case_show(args: argparse.Namespace) -> int:
    services = _services(args)
    ref = (args.reference or "").upper()
    record = services.queries.case(ref)
    case, log, actions = record.case, record.history, record.actions
    d = services.settings.directory
    print(f"{case.reference}  {case.subject}  {case.concern}  ({case.status})")
    print(f"  referred by {d.get(case.referrer).name if case.referrer else '-'}; "
          f"required: {', '.join(d.get(p).name for p in case.partners)}")
    for a in actions:
        print(f"  {a.ident}  {a.status}  due {a.due}  {a.owner}: {a.text}")
    print("  history:")
    for entry in log:
        source = f" [email {entry['message_key']}]" if entry["message_key"] else ""
        print(f"  {entry['at']:%Y-%m-%d %H:%M}  {entry['actor']}  {entry['action']}  "
              f"{entry['detail']}{source}")
    return 0


def cmd_cases_list(args: argparse.Namespace) -> int:
    services = _services(args)
    meeting = services.settings.meeting
    cal = services.calendars[meeting.id]
    day = args.date or cal.meeting_for(services.clock.now())
    view = services.queries.day(day)
    d = services.settings.directory
    print(f"{meeting.name}: {day:%A} {day.day} {day:%B %Y}, {len(view.cases)} case(s)")
    for case in view.cases:
        names = ", ".join(d.get(p).name for p in case.partners)
        print(f"  {case.reference}  {case.subject}  {case.concern}")
        print(f"      referred by {d.get(case.referrer).name if case.referrer else '-'}; required: {names}")
    required = view.required(d)
    print(f"required: {', '.join(d.get(c).name for c in required) or 'nobody'}")
    return 0


def cmd_cases_add(args: argparse.Namespace) -> int:
    services = _services(args)
    referrer = services.settings.directory.find(args.referrer)
    if referrer is None:
        raise MailbotError(f"unknown referring partner {args.referrer!r} "
                           f"(known: {services.settings.directory.known_names()})")
    actor = f"cli:{os.environ.get('USER') or 'coordinator'}"
    result = services.add_case_by_hand(subject=args.initials, concern=args.concern,
                                       partners=args.partners or "", referrer=referrer.code, actor=actor)
    for line in result.done:
        print(line)
    for line in result.problems:
        print(f"problem: {line}", file=sys.stderr)
    if services.settings.smtp is not None:
        _run(_drain(services))
    return 0 if result.done else 1
