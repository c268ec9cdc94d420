"""``mailbot panel log``: a meeting's referrals accepted, declined and returned, for its records."""

from __future__ import annotations

import argparse
from datetime import timedelta

from mailbot.cli.common import Add, _date_arg, _services
from mailbot.cli.tables import plural


def register(add: Add) -> None:
    p = add("panel", cmd_panel, "list a meeting's decisions on referrals: accepted, declined, returned")
    p.add_argument("action", choices=["log"])
    p.add_argument("--meeting", help="the meeting's id (default the first panel, else the first meeting)")
    p.add_argument("--from", dest="start", type=_date_arg, help="from this date (default a year ago)")
    p.add_argument("--to", dest="end", type=_date_arg, help="up to this date (default today)")


def cmd_panel(args: argparse.Namespace) -> int:
    services = _services(args)
    meetings = services.settings.meetings
    # A deployment running the daily call first and its panel second wants the panel's log.
    default = next((m for m in meetings if m.is_panel), meetings[0])
    meeting = services.queries.meeting(args.meeting or default.id).id
    today = services.calendars[meeting].local(services.clock.now()).date()
    end = args.end or today
    start = args.start or end - timedelta(days=365)
    from mailbot.services.panel_log import PanelLog  # here, not above: `mailbot --help` stays quick

    entries = PanelLog(services.k).entries(meeting, start, end)
    for e in entries:
        why = f"  {e.justification}" if e.justification else ""
        print(f"{e.day:%Y-%m-%d}  {e.reference:<14} {e.referrer:<20} {e.decision:<9}{why}")
    print(f"{plural(len(entries), 'decision')} of {meeting} from {start:%Y-%m-%d} to {end:%Y-%m-%d}")
    return 0
