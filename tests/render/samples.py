"""Every email the bot writes, with short and long data, to full-detail and reference-level
addresses: what the browser tests render."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from mailbot.core import letters
from mailbot.core.actions import ActionView
from mailbot.core.agenda import CaseView, DayView
from mailbot.core.compose import Letter
from mailbot.core.letters.oneoff import invited
from mailbot.core.oneoff import Sitting

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London"))
LONG = ("threats to a neighbour with a knife seen by the PCSO last night; the neighbour's two children "
        "(aged 4 and 7) were in the flat; previous incidents on 2 and 9 November; "
        "https://intranet.hillingdon.example/safeguarding/cases/very/long/path/that/never/breaks")
OWNER = "detective.sergeant.jane.smith-robertson@met.police.example"


def _cases(long: bool) -> tuple[CaseView, ...]:
    if not long:
        return (CaseView("HR-2026-0001", "T.W.", "threats to neighbour", "police", ("police", "asbit")),)
    everyone = ("police", "childrens", "cnwl", "spa", "ccg", "hidva", "thh", "asbit", "community-safety")
    return tuple(
        CaseView(f"HR-2026-{n:04d}", "A.B.-C.D.", LONG, "hidva", everyone,
                 "returned" if n == 3 else "new", "A-7 could not be completed: family moved away" if n == 3 else "")
        for n in range(1, 8)
    )


def _actions(s: letters.Stationery, long: bool) -> list[dict[str, object]]:
    count = 6 if long else 1
    views = [ActionView(n, f"HR-2026-{n:04d}", OWNER if long else "mash@met.police.example",
                        "police", date(2026, 11, 20 + n % 5), LONG if long else "welfare visit", "open",
                        LONG if long and n % 2 else "")
             for n in range(7, 7 + count)]
    return letters.action_rows(s, views, letters.short_day)


def every_letter(s: letters.Stationery, *, long: bool) -> dict[str, Letter]:
    """Name -> letter, one of each kind (and each status) the bot sends."""
    d = s.directory
    view = DayView("daily", DAY, _cases(long))
    empty = DayView("daily", DAY, ())
    rows = _actions(s, long)
    police, asc = d.get("police"), d.get("asc")
    decided = [{"reference": c.reference, "subject": c.subject, "decision": "closed",
                "rationale": c.concern} for c in view.cases]
    found = {
        "case-call-required": letters.case_call(s, view, police, late=False),
        "case-call-stand-down": letters.case_call(s, view, asc, late=True),
        "case-call-no-cases": letters.case_call(s, empty, police, late=False),
        "case-call-reference-level": letters.case_call(s, view, d.get("hidva"), late=False),
        "attendance-required": letters.attendance(s, view, police, now=NOW),
        "attendance-stand-down": letters.attendance(s, view, asc, now=NOW),
        "attendance-no-cases": letters.attendance(s, empty, d.get("thh"), now=NOW),
        "now-required": letters.now_required(s, view, d.get("asbit"), [c.reference for c in view.cases]),
        "acknowledgement": letters.acknowledgement(s, letters.ReplyTo(key="ack:1", to="mash@met.police.example", subject="RE: Case call", message_id=None, references=[]),
                                letters.Answer(done=[f"added {c.reference}" for c in view.cases], problems=["line 3: unknown partner 'London Fire Brigade'"], status=letters.status_context(s, view, police))),
        "unknown-sender": letters.unknown_sender(s, letters.ReplyTo(key="error:1", to="someone@elsewhere.example", subject="A concern", message_id=None), coordinators=["adultmash@hillingdon.example"], public_reply="If someone is in danger now, call 999."),
        "stranger-notice": letters.stranger_notice(s, "stranger:1", letters.Written(sender="someone@elsewhere.example", subject="A concern", text=LONG * (4 if long else 1)), answered=True, inbound_id=12),
        "stand-down": letters.stand_down(s, view, d.get("cnwl"), [view.cases[0].reference]),
        "forward": letters.forward(s, "forward:1", letters.Handover(title="email to read from Police", sender="mash@met.police.example", subject="RE: Case call", lines=["The bot could not act on it."], words=[LONG, "Thanks, Jane"], secrets=[])),
        "reference-owner-notice": letters.reference_owner_notice(
            s, key="refowner:1", chair="adultmash@hillingdon.example", owner="x@hidva.example",
            partner="HIDVA", actions=rows),
        "notice": letters.notice(s, key="notice:1", title="possible repeat case HR-2026-0002",
                                 lines=[LONG, "Please check whether it is the same person."]),
        "summary": letters.summary(s, plan=letters.PlanView(DAY, "v1", decided, rows, attended=["Police", "CNWL"],
                                                             apologies=["HIDVA"]), partner=police),
        "owner-actions": letters.owner_actions(s, day=DAY, version="v1", owner=OWNER, actions=rows),
        "reminder": letters.reminder(s, action=rows[0], owner=OWNER, when="today"),
        "digest": letters.digest(s, day=date(2026, 12, 8),
                                 overdue=[{**r, "days": 6 + n, "escalated": n % 2 == 0}
                                          for n, r in enumerate(rows)]),
        "escalation": letters.escalation(s, partner=police, action=rows[0], days=6),
        "oneoff-invitation": invited(s, Sitting("daily", view.cases[0].reference, "professionals' meeting",
                                                date(2026, 11, 26), time(14), ("police", "cnwl", "hidva"),
                                                OWNER, "cli:jsmith"), view.cases[0], police, "Police", NOW),
    }
    return found
