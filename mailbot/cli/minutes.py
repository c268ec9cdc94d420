"""``mailbot minutes``: a meeting's minutes typed up as one batch, and what the desk's single
lines say about the summary they leave waiting."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.cli.common import _actor, _as_option, _meeting_arg, _print_plan, _send_now, _services
from mailbot.cli.tables import plural
from mailbot.errors import MailbotError

if TYPE_CHECKING:
    from mailbot.services import Services
    from mailbot.services.desk import Filed


def add_minutes_command(add: Callable[[str, Callable[[argparse.Namespace], int], str],
                                       argparse.ArgumentParser]) -> None:
    p = add("minutes", cmd_minutes, "file a meeting's minutes (Action, Decision, Review, Attended, "
                                    "Apologies lines) in one go and send one action plan")
    p.add_argument("file", metavar="FILE|-", help="the minutes, one line per instruction; - reads stdin")
    p.add_argument("--meeting", type=_meeting_arg, metavar="MEETING",
                   help="the meeting they are of: its day (27/11/2026, Monday, ...; default the last "
                        "meeting held), with its id first where there are several: 'panel 8/12/2026'")
    p.add_argument("--dry-run", action="store_true",
                   help="show what would change and who would get which email; change and send nothing")
    _as_option(p)


def cmd_minutes(args: argparse.Namespace) -> int:
    text = _read(args.file)
    services = _services(args)
    choice = args.meeting
    filed = services.desk.minutes(text, _actor(args), held=choice.day if choice else None,
                                  dry_run=args.dry_run, meeting_id=choice.id if choice else None)
    if filed.plan.problems:
        _print_plan(filed.plan)
        print(f"nothing was filed under the meeting of {_day(filed)} and nothing sent: correct the "
              "lines above and run again", file=sys.stderr)
        return 1
    print(f"{'Would be filed' if args.dry_run else 'Filed'} under the meeting of {_day(filed)}")
    code = _print_plan(filed.plan)
    if args.dry_run:
        print(f"would send {plural(len(filed.emails), 'email')}:" if filed.emails else "would send no email")
    elif not filed.emails:
        print("no action plan sent: this version of the plan was already sent")
    for to, subject in filed.emails:
        print(f"  {to}: {subject}")
    if args.dry_run:
        print("dry run: nothing was changed and nothing sent")
    elif services.settings.smtp is not None:
        print(f"{plural(_send_now(services), 'email')} sent now")
    return code


def filed_by_hand(services: Services, filed: Filed) -> int:
    """What ``cases decide`` and ``actions add`` print: the meeting, the plan, and that the
    summary waits for the quiet period (a coordinator typing five lines sends one version)."""
    if not filed.applied:
        _print_plan(filed.plan)
        print(f"nothing was filed under the meeting of {_day(filed)}", file=sys.stderr)
        return 1
    print(f"Filed under the meeting of {_day(filed)}")
    code = _print_plan(filed.plan)
    sent = _send_now(services)
    minutes = services.room(filed.meeting_id).settings.summary_quiet_minutes
    head = f"{plural(sent, 'notice')} to the coordinators sent now; " if sent else "no email sent now: "
    print(f"{head}the action summary goes out after {minutes} quiet minutes, or now with "
          "`mailbot send summary`")
    return code


def _day(filed: Filed) -> str:
    from mailbot.core.letters import short_day

    return short_day(filed.meeting_day)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise MailbotError(f"cannot read the minutes: {exc.strerror}: {name}") from None
