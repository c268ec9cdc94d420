"""The day's letters: the case call, the attendance list, now required, stand down."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mailbot.core.agenda import ApologyView, CaseView, DayView, Told
from mailbot.core.compose import Attachment, Letter
from mailbot.core.directory import short_name
from mailbot.core.invitation import Invitation, Method, ical
from mailbot.core.invitation import description as describe
from mailbot.core.invitation import uid as invite_uid
from mailbot.core.letters.stationery import (
    Draft,
    Stationery,
    brief_day,
    day_words,
)
from mailbot.core.model import Partner


def _case_rows(s: Stationery, cases: Sequence[CaseView]) -> list[dict[str, object]]:
    return [
        {
            "reference": c.reference,
            "subject": c.subject,
            "concern": c.concern,
            "referrer": short_name(s.directory.get(c.referrer)) if c.referrer else "coordinator",
            "partners": ", ".join(s.names(c.partners)),
            "reason": c.reason,
            "note": c.note,
            "category": c.category,
            "lead": c.lead,
        }
        for c in cases
    ]


def _day_context(s: Stationery, view: DayView, partner: Partner) -> dict[str, object]:
    required = view.required(s.directory)
    return {
        **s.base(view.day),
        "partner": short_name(partner),
        "required": partner.code in required,
        "cases": _case_rows(s, view.cases),
        "my_cases": [c.reference for c in view.cases_for(partner.code)],
        "required_names": s.names(required),
        "standing_down_names": s.names(view.standing_down(s.directory)),
        "apologies": [_apology(s, a) for a in view.apologies],
    }


def _apology(s: Stationery, apology: ApologyView) -> str:
    what = f" for {apology.reference}" if apology.reference else ""
    why = f" ({apology.reason})" if apology.reason else ""
    return f"{short_name(s.directory.get(apology.partner))}{what}{why}"


def case_call(s: Stationery, view: DayView, partner: Partner, *, late: bool,
              now: datetime | None = None, final: bool = False) -> Letter:
    """The morning's email to one partner. Given ``now``, a required partner's also carries
    the calendar invitation, so the meeting is in its calendar from the first email.
    ``final``: it goes at the cut-off, as the agenda (a daily risk meeting's)."""
    invite = (invitation(s, view, partner, Method.REQUEST, now),) \
        if now is not None and view.is_required(partner.code) else ()
    ctx = {**_day_context(s, view, partner), "late": late, "invitation": bool(invite), "final": final}
    what = "LATE case call" if late else "Case call"
    subject = _day_subject(s, view, partner, f"{what} {brief_day(view.day)}")
    return s.letter(Draft(
        "case_call", f"case-call:{s.meeting_id}:{view.day}:{partner.code}", partner.emails, subject, ctx,
        preview=_status_line(s, view, partner, "required"), extra={"attachments": invite}))


def attendance(s: Stationery, view: DayView, partner: Partner, *, now: datetime) -> Letter:
    """The final agenda at the cut-off. The invitation went with the case call (or the
    now-required notice); a partner invited then and no longer needed gets its cancellation."""
    ctx = _day_context(s, view, partner)
    subject = _day_subject(s, view, partner, f"Attendance list {brief_day(view.day)}")
    invited = view.told.get(partner.code) == Told.REQUIRED
    attachments = (invitation(s, view, partner, Method.CANCEL, now),) \
        if invited and not view.is_required(partner.code) else ()
    return s.letter(Draft(
        "attendance", f"attendance:{s.meeting_id}:{view.day}:{partner.code}", partner.emails, subject, ctx,
        preview=_status_line(s, view, partner, "must attend"), extra={"attachments": attachments}))


def _day_subject(s: Stationery, view: DayView, partner: Partner, what: str) -> str:
    """The partner's status first, where a phone's list of emails still shows it:
    "REQUIRED 12:00 - Police - Case call Mon 23 Nov: 2 cases"."""
    status = f"REQUIRED {s.starts:%H:%M}" if view.is_required(partner.code) else "Stand down"
    n = len(view.cases)
    count = f"{n} case{'s' if n != 1 else ''}" if n else "no cases"
    return f"{status} - {short_name(partner)} - {what}: {count}"


def _status_line(s: Stationery, view: DayView, partner: Partner, verb: str) -> str:
    """One sentence, the partner's status: "Police: you are required at 12:00, for HR-2026-0001."."""
    refs = [c.reference for c in view.cases_for(partner.code)]
    if refs:
        be = "you are required" if verb == "required" else f"you {verb}"
        return f"{short_name(partner)}: {be} at {s.starts:%H:%M}, for {', '.join(refs)}."
    if view.cases:
        return f"{short_name(partner)}: you may stand down."
    return "No cases today: everyone may stand down."


def invitation(s: Stationery, view: DayView, partner: Partner, method: Method, now: datetime
               ) -> Attachment:
    """The partner's calendar entry for the meeting day: a request while it is required,
    a cancellation once it is not. Case references only, whatever the address's level."""
    refs = [c.reference for c in view.cases_for(partner.code)]
    entry = Invitation(
        uid=invite_uid(s.meeting_id, view.day, partner.code, s.bot_address), day=view.day,
        starts=s.starts, zone=s.zone, summary=s.meeting_name, location=s.dial_in, url=s.join_url,
        description=describe(refs, s.dial_in, s.join_url), organizer=s.bot_address,
        organizer_name=s.bot_name, attendees=tuple((a, short_name(partner)) for a in partner.emails))
    return Attachment("invite.ics", "text", "calendar", ical(entry, method, now),
                      (("method", method.value),))


def now_required(s: Stationery, view: DayView, partner: Partner, references: Sequence[str],
                 now: datetime | None = None) -> Letter:
    """To a partner told to stand down whom a new case needs; with the invitation, given ``now``."""
    invite = (invitation(s, view, partner, Method.REQUEST, now),) if now is not None else ()
    ctx = {**_day_context(s, view, partner), "new_refs": list(references), "invitation": bool(invite)}
    subject = (f"Now REQUIRED {s.starts:%H:%M} - {short_name(partner)} - {brief_day(view.day)}: "
               f"{', '.join(references)}")
    preview = (f"{short_name(partner)}: you are now required at {s.starts:%H:%M}, "
               f"for {', '.join(references)}.")
    return s.letter(Draft(
        "now_required", f"now-required:{s.meeting_id}:{view.day}:{partner.code}", partner.emails, subject,
        ctx, preview=preview, extra={"attachments": invite}))


def stand_down(s: Stationery, view: DayView, partner: Partner, withdrawn: Sequence[str],
               now: datetime | None = None) -> Letter:
    """To a partner told it was required whom a withdrawal leaves with no case; given
    ``now``, it cancels the invitation that partner was sent."""
    cancel = (invitation(s, view, partner, Method.CANCEL, now),) if now is not None else ()
    ctx = {**_day_context(s, view, partner), "withdrawn": list(withdrawn)}
    subject = (f"Stand down - {short_name(partner)} - {brief_day(view.day)}: "
               f"{', '.join(withdrawn)} withdrawn")
    return s.letter(Draft(
        "stand_down",
        f"stand-down:{s.meeting_id}:{view.day}:{partner.code}:"
                    f"{'+'.join(withdrawn)}"[:290],
        partner.emails, subject, ctx,
        preview=f"{short_name(partner)}: you may now stand down for {day_words(view.day)}.",
        extra={"attachments": cancel}))


def status_context(s: Stationery, view: DayView, partner: Partner) -> dict[str, object]:
    ctx = _day_context(s, view, partner)
    return {"day_long": ctx["day_long"], "required": ctx["required"], "cases": ctx["cases"],
            "my_cases": ctx["my_cases"], "partner": short_name(partner)}
