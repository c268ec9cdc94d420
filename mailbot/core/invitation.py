"""The meeting invitation: an iCalendar object (RFC 5545) sent by email as iMIP (RFC 6047).

A partner told it is required gets ``METHOD:REQUEST``, which Outlook, Gmail and Apple
Mail show as a meeting with Accept and Decline; a partner who stops being required
gets ``METHOD:CANCEL`` for the same UID, which takes the meeting out of its calendar.

- One UID per partner per meeting day, so each partner's calendar holds one entry
  that later messages update or cancel (RFC 5545 §3.8.4.7).
- SEQUENCE rises with every message about that entry (RFC 5545 §3.8.7.4): it is the
  number of minutes from the start of the meeting day to when the message is written,
  so a later change always carries a larger number without the bot storing a counter.
- ORGANIZER is the bot, whose mailbox receives any reply. RSVP is FALSE: the bot does
  not read calendar replies, so clients are not asked to send any.
- Only case references travel in the invitation, never a person's details: it goes to
  the same addresses as the letter, whatever their content level.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from icalendar import Calendar, Event, vCalAddress, vText


class Method(enum.StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True, slots=True)
class Invitation:
    """Everything one partner's calendar entry for one meeting day says."""

    uid: str
    day: date
    starts: time
    zone: tzinfo
    summary: str
    location: str
    url: str
    description: str
    organizer: str
    organizer_name: str
    attendees: tuple[tuple[str, str], ...]  # (address, name)
    minutes: int = 60
    bump: int = 0  # added to SEQUENCE: a cancellation written in the same minute still outranks


def uid(meeting_id: str, day: date, partner_code: str, bot_address: str) -> str:
    """The one UID of a partner's entry for a meeting day (the bot's domain makes it unique)."""
    return f"{meeting_id}-{day:%Y%m%d}-{partner_code}@{bot_address.rpartition('@')[2]}"


def sequence(day: date, zone: tzinfo, now: datetime) -> int:
    """Minutes from the start of the meeting day to ``now``: rises with every change."""
    since = now - datetime.combine(day, time(0), tzinfo=zone)
    return max(0, int(since.total_seconds() // 60))


def ical(invitation: Invitation, method: Method, now: datetime) -> bytes:
    """The iCalendar text, folded at 75 octets and escaped by the icalendar library."""
    cal = Calendar()
    cal.add("prodid", "-//mailbot//meeting invitation//EN")
    cal.add("version", "2.0")
    cal.add("method", method.value)
    cal.add_component(_event(invitation, method, now))
    data: bytes = cal.to_ical()
    return data


def _event(inv: Invitation, method: Method, now: datetime) -> Event:
    start = datetime.combine(inv.day, inv.starts, tzinfo=inv.zone)
    event = Event()
    event.add("uid", inv.uid)
    event.add("sequence", sequence(inv.day, inv.zone, now) + inv.bump)
    event.add("dtstamp", now.astimezone(UTC))
    # UTC times need no VTIMEZONE block, which some clients read wrongly.
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", (start + timedelta(minutes=inv.minutes)).astimezone(UTC))
    event.add("summary", inv.summary)
    event.add("description", inv.description)
    if inv.location:
        event.add("location", inv.location)
    if inv.url:
        event.add("url", inv.url)
    organizer = vCalAddress(f"mailto:{inv.organizer}")
    organizer.params["cn"] = vText(inv.organizer_name)
    event.add("organizer", organizer)
    for address, name in inv.attendees:
        event.add("attendee", _attendee(address, name))
    event.add("status", "CANCELLED" if method is Method.CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _attendee(address: str, name: str) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{address}")
    attendee.params.update({"cn": vText(name), "role": vText("REQ-PARTICIPANT"),
                            "partstat": vText("NEEDS-ACTION"), "rsvp": vText("FALSE")})
    return attendee


def description(references: Sequence[str], dial_in: str, url: str) -> str:
    """What the entry says: the cases by reference only, and how to join."""
    lines = [f"Cases: {', '.join(references)}." if references else "No case needs you now."]
    if url:
        lines.append(f"Join online: {url}")
    if dial_in:
        lines.append(f"Or: {dial_in}")
    return "\n".join(lines)
