"""``mailbot meeting call`` and ``mailbot meeting list``: one-off meetings for one case (a
strategy discussion, a professionals' or a best-interest meeting), called at the terminal by
the same rules as the emailed ``Meeting <ref>: <date> <time> - <partners>`` line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from mailbot.cli.common import Add, _actor, _as_option, _commands, _send_now, _services

if TYPE_CHECKING:
    from mailbot.core.oneoff import Sitting
    from mailbot.services import Services
    from mailbot.services.oneoff import OneOffs


def register(add: Add) -> None:
    sub = _commands(add("meeting", None, "call or cancel a one-off meeting for one case, or list those "
                                         "to come"),
                    "action", "ACTION")
    p = sub("call", cmd_meeting_call, "call a one-off meeting for one case: each partner named gets the "
                                      "invitation, the coordinators are told")
    p.add_argument("reference", help="the case, e.g. HR-2026-0041")
    p.add_argument("--at", required=True, metavar="WHEN",
                   help="its date and time, e.g. '03/12/2026 14:00', 'Thursday 2pm'")
    p.add_argument("--partners", required=True, help="the partners to invite, e.g. 'police,asc,cnwl'")
    p.add_argument("--kind", default="strategy discussion",
                   help="what it is, e.g. 'best-interest meeting' (default: strategy discussion)")
    p.add_argument("--dry-run", action="store_true", help="say what would be done; store and send nothing")
    _as_option(p)
    p = sub("cancel", cmd_meeting_cancel, "cancel a one-off meeting: each partner invited is told, with the "
                                          "calendar entry cancelled; the coordinators are told")
    p.add_argument("reference", help="the case, e.g. HR-2026-0041")
    p.add_argument("--at", default="", metavar="WHEN",
                   help="its date and time, e.g. '03/12/2026 14:00' (needed when the case has more than one)")
    p.add_argument("--reason", required=True, help="why it will not take place")
    _as_option(p)
    p = sub("list", cmd_meeting_list, "the one-off meetings still to come, soonest first")
    p.add_argument("--json", action="store_true", help="one JSON object per meeting (JSON Lines)")


def _oneoffs(services: Services) -> OneOffs:
    from mailbot.services.oneoff import OneOffs  # here, not above: `mailbot --help` stays quick

    return OneOffs(services.k)


def cmd_meeting_call(args: argparse.Namespace) -> int:
    services = _services(args)
    result = _oneoffs(services).call_by_hand(args.reference.strip().upper(), args.at, args.partners,
                                             kind=args.kind, actor=_actor(args), dry_run=args.dry_run)
    for line in result.done:
        print(line)
    for line in result.problems:
        print(f"problem: {line}", file=sys.stderr)
    if result.done and not result.problems:
        if args.dry_run:
            print("dry run: nothing was stored or sent")
        else:
            _send_now(services)
    return 0 if result.done and not result.problems else 1


def cmd_meeting_cancel(args: argparse.Namespace) -> int:
    from mailbot.services.oneoff_cancel import Cancellations

    services = _services(args)
    result = Cancellations(services.k).cancel_by_hand(args.reference.strip().upper(), args.at, args.reason,
                                                      actor=_actor(args))
    for line in result.done:
        print(line)
    for line in result.problems:
        print(f"problem: {line}", file=sys.stderr)
    if result.done and not result.problems:
        _send_now(services)
    return 0 if result.done and not result.problems else 1


def cmd_meeting_list(args: argparse.Namespace) -> int:
    services = _services(args)
    sittings = _oneoffs(services).upcoming()
    d = services.settings.directory
    for s in sittings:
        names = [d.get(code).name for code in s.partners]
        if args.json:
            print(json.dumps({"meeting": s.meeting, "reference": s.reference, "kind": s.kind,
                              "day": s.day.isoformat(), "starts": f"{s.starts:%H:%M}",
                              "partners": list(s.partners), "called_by": s.called_by}, ensure_ascii=False))
        else:
            print(f"{describe(s)}; invited: {', '.join(names)}; called by {s.called_by}")
    if not args.json:
        print(f"{len(sittings)} one-off meeting(s) to come")
    return 0


def describe(s: Sitting) -> str:
    """One sitting in a line: "Thu 03 Dec 2026 14:00  HR-2026-0041  strategy discussion"."""
    cancelled = "  (cancelled)" if s.status == "cancelled" else ""
    return f"{s.day:%a %d %b %Y} {s.starts:%H:%M}  {s.reference}  {s.kind}{cancelled}"
