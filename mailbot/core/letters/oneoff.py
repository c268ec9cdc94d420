"""A one-off sitting for one case: the invitation to each partner called to it, and the
coordinators' notice. The case line goes at the recipient's content level, as on a case call;
the calendar entry carries the reference only."""

from __future__ import annotations

from datetime import date, datetime, time

from mailbot.core.agenda import CaseView
from mailbot.core.compose import Attachment, Letter
from mailbot.core.directory import short_name
from mailbot.core.invitation import Invitation, Method, ical
from mailbot.core.invitation import description as describe
from mailbot.core.letters.answers import notice
from mailbot.core.letters.stationery import Draft, Stationery, brief_day, day_words, long_day
from mailbot.core.model import Partner
from mailbot.core.oneoff import Sitting

INVITATION = "oneoff:"  # the outbox key of every invitation starts so


def _title(sitting: Sitting) -> str:
    return f"{sitting.kind[:1].upper()}{sitting.kind[1:]} {sitting.reference}"


def _when(sitting: Sitting) -> str:
    return f"{brief_day(sitting.day)} {sitting.starts:%H:%M}"


def _stamp(sitting: Sitting) -> str:
    return f"{sitting.meeting}:{sitting.reference}:{sitting.day:%Y%m%d}:{sitting.starts:%H%M}"


def invitation_key(sitting: Sitting, code: str) -> str:
    """The outbox key of one partner's invitation to a sitting: it goes once."""
    return f"{INVITATION}{_stamp(sitting)}:{code}"


def key_of(key: str | None) -> tuple[str, str, date, time] | None:
    """The sitting (meeting, case, day, start) an invitation's outbox key is for."""
    parts = (key or "").removeprefix(INVITATION).rsplit(":", 4)
    if not (key or "").startswith(INVITATION) or len(parts) != 5:
        return None
    try:
        return parts[0], parts[1], date(int(parts[2][:4]), int(parts[2][4:6]), int(parts[2][6:])), \
            time(int(parts[3][:2]), int(parts[3][2:]))
    except ValueError:
        return None


def invited(s: Stationery, sitting: Sitting, case: CaseView, partner: Partner, caller: str,
            now: datetime) -> Letter:
    """To one partner called to the sitting: what, when, for which case, how to join, and
    the calendar entry (its UID the sitting's and the partner's own)."""
    row = {"reference": case.reference, "subject": case.subject, "concern": case.concern,
           "referrer": short_name(s.directory.get(case.referrer)) if case.referrer else "coordinator",
           "partners": ", ".join(s.names(sitting.partners)), "reason": "new", "note": "",
           "category": case.category, "lead": case.lead}
    ctx = {**s.base(sitting.day), "starts": f"{sitting.starts:%H:%M}", "kind": sitting.kind,
           "reference": sitting.reference, "called_by": caller, "partner": short_name(partner),
           "invited": s.names(sitting.partners), "cases": [row], "invitation": True}
    preview = (f"{short_name(partner)}: you are invited to a {sitting.kind} about {sitting.reference} "
               f"on {day_words(sitting.day)} at {sitting.starts:%H:%M}.")
    return s.letter(Draft(
        "oneoff_invitation", invitation_key(sitting, partner.code), partner.emails,
        f"{_title(sitting)} - {_when(sitting)} - {short_name(partner)}", ctx, preview=preview,
        extra={"attachments": (_entry(s, sitting, partner, now),)}))


def cancelled(s: Stationery, sitting: Sitting, partner: Partner, reason: str, now: datetime) -> Letter:
    """To one partner invited to a sitting that will not take place: the calendar entry
    cancelled (the same UID, a higher SEQUENCE). The reason is the canceller's own words,
    withheld where case details may not go."""
    ctx = {**s.base(sitting.day), "starts": f"{sitting.starts:%H:%M}", "kind": sitting.kind,
           "reference": sitting.reference, "partner": short_name(partner), "reason": reason}
    preview = (f"{short_name(partner)}: the {sitting.kind} about {sitting.reference} on "
               f"{day_words(sitting.day)} at {sitting.starts:%H:%M} is cancelled.")
    return s.letter(Draft(
        "oneoff_cancelled", f"oneoff-cancel:{_stamp(sitting)}:{partner.code}", partner.emails,
        f"Cancelled: {_title(sitting)} - {_when(sitting)} - {short_name(partner)}", ctx, (reason,),
        preview=preview, extra={"attachments": (_entry(s, sitting, partner, now, Method.CANCEL),)}))


def _entry(s: Stationery, sitting: Sitting, partner: Partner, now: datetime,
           method: Method = Method.REQUEST) -> Attachment:
    domain = s.bot_address.rpartition("@")[2]
    entry = Invitation(
        uid=f"oneoff-{_stamp(sitting).replace(':', '-')}-{partner.code}@{domain}", day=sitting.day,
        starts=sitting.starts, zone=s.zone, summary=f"{_title(sitting)} ({s.meeting_name})",
        location=s.dial_in, url=s.join_url, description=describe([sitting.reference], s.dial_in, s.join_url),
        organizer=s.bot_address, organizer_name=s.bot_name,
        attendees=tuple((a, short_name(partner)) for a in partner.emails),
        bump=1 if method is Method.CANCEL else 0)
    return Attachment("invite.ics", "text", "calendar", ical(entry, method, now), (("method", method.value),))


def called(s: Stationery, sitting: Sitting, caller: str) -> Letter:
    """The coordinators told who called which sitting, and whom it invited."""
    title = f"{sitting.kind} called for {sitting.reference}"
    return notice(s, key=f"notice:oneoff:{_stamp(sitting)}", title=title,
                  lines=[f"{caller} called a {sitting.kind} for {sitting.reference} on "
                         f"{long_day(sitting.day)} at {sitting.starts:%H:%M}.",
                         f"Invited: {', '.join(s.names(sitting.partners))}. Each was sent the invitation; "
                         "their replies come to this meeting, and the action plan after the sitting goes to "
                         "them and to you."])


def added(s: Stationery, sitting: Sitting, new: tuple[str, ...], caller: str) -> Letter:
    """The coordinators told who invited more partners to a sitting already called."""
    names = ", ".join(s.names(new))
    return notice(s, key=f"notice:oneoff:{_stamp(sitting)}:added:{'+'.join(new)}"[:290],
                  title=f"{names} invited to the {sitting.kind} for {sitting.reference}",
                  lines=[f"{caller} invited {names} to the {sitting.kind} for {sitting.reference} on "
                         f"{long_day(sitting.day)} at {sitting.starts:%H:%M}; each was sent the invitation.",
                         f"Invited now: {', '.join(s.names(sitting.partners))}."])


def called_off(s: Stationery, sitting: Sitting, by: str, reason: str, told: tuple[str, ...],
               stopped: tuple[str, ...]) -> Letter:
    """The coordinators told who cancelled which sitting, why, and who was told."""
    lines = [f"{by} cancelled the {sitting.kind} for {sitting.reference} on {long_day(sitting.day)} at "
             f"{sitting.starts:%H:%M}: {reason}.",
             f"Told it is cancelled: {', '.join(s.names(told)) or 'nobody'}."]
    if stopped:
        lines.append(f"Not yet sent, so stopped: the invitation to {', '.join(s.names(stopped))}.")
    return notice(s, key=f"notice:oneoff-cancel:{_stamp(sitting)}",
                  title=f"{sitting.kind} for {sitting.reference} cancelled", lines=lines, secrets=(reason,))
