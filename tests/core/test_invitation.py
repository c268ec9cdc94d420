"""The calendar invitation, read back with the icalendar library field by field, as a
calendar client would read it."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mailbot.adapters.templates import renderer
from mailbot.config import Settings
from mailbot.core import letters
from mailbot.core.agenda import CaseView, DayView, Told
from mailbot.core.compose import Letter, build

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 11, 23)
CASES = (CaseView("HR-2026-0001", "T.W.", "threats", "police", ("police", "asbit")),)
JOIN = "https://teams.microsoft.example/l/meetup-join/hillingdon-high-risk-case-discussion"


@pytest.fixture
def s(settings: Settings) -> letters.Stationery:
    m = settings.meeting
    long_dial_in = m.dial_in + ", and if that fails, the coordinator's line: 01895 250111; option 3, then 2."
    return letters.Stationery(renderer(), settings.directory, settings.bot.display_name, settings.bot.address,
                              m.id, m.name, m.starts, m.cutoff, long_dial_in, join_url=JOIN, zone=LONDON)


def sent(letter: Letter, s: letters.Stationery, now: datetime) -> EmailMessage:
    _, raw = build(letter, from_address=s.bot_address, from_name=s.bot_name, now=now)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def calendar_of(msg: EmailMessage) -> tuple[str, Calendar]:
    [part] = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    return str(part.get_param("method")), Calendar.from_ical(part.get_content())


def test_a_required_partner_gets_a_real_invitation_with_the_case_call(s: letters.Stationery) -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    msg = sent(letters.case_call(s, DayView("daily", DAY, CASES), s.directory.get("police"), late=False, now=now),
               s, now)
    # The invitation is the body's last alternative, not an attachment to import.
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/alternative", "text/plain", "text/html", "text/calendar"]
    method, cal = calendar_of(msg)
    assert method == str(cal["method"]) == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["uid"]) == "daily-20261123-police@hillingdon.example"
    assert int(event["sequence"]) == 600  # minutes into the meeting day
    assert event.decoded("dtstart") == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    assert str(event["summary"]) == "Hillingdon Multi-Agency High Risk Case Discussion"
    assert str(event["organizer"]) == "mailto:highrisk-bot@hillingdon.example"
    assert event["organizer"].params["CN"] == "Hillingdon High Risk Case Discussion"
    attendee = event["attendee"]
    assert str(attendee) == "mailto:mash@met.police.example"
    assert (attendee.params["CN"], attendee.params["ROLE"], attendee.params["PARTSTAT"]) == (
        "Police", "REQ-PARTICIPANT", "NEEDS-ACTION")
    assert str(event["url"]) == JOIN
    assert str(event["location"]) == s.dial_in  # commas and semicolons come back unescaped
    assert str(event["description"]) == f"Cases: HR-2026-0001.\nJoin online: {JOIN}\nOr: {s.dial_in}"
    assert str(event["status"]) == "CONFIRMED"
    # Folded at 75 octets (RFC 5545 §3.1), which the old hand-written lines were not.
    raw = cal.to_ical()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    assert "invitation is attached" in msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_the_invitation_says_nothing_of_a_person_even_to_a_full_detail_address(s: letters.Stationery) -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    msg = sent(letters.case_call(s, DayView("daily", DAY, CASES), s.directory.get("asbit"), late=False, now=now),
               s, now)
    _, cal = calendar_of(msg)
    assert b"T.W." not in cal.to_ical() and b"threats" not in cal.to_ical()


def test_stand_down_partners_get_no_invitation_and_the_cut_off_sends_none_again(s: letters.Stationery) -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    view = DayView("daily", DAY, CASES, told={"police": Told.REQUIRED, "thh": Told.STAND_DOWN})
    for letter in (letters.case_call(s, view, s.directory.get("thh"), late=False, now=now),
                   letters.attendance(s, view, s.directory.get("police"), now=now),
                   letters.attendance(s, view, s.directory.get("thh"), now=now)):
        assert letter.attachments == ()


def test_an_update_keeps_the_uid_and_raises_the_sequence_and_a_cancel_follows(s: letters.Stationery) -> None:
    police = s.directory.get("police")
    at = [datetime(2026, 11, 23, h, m, tzinfo=LONDON) for h, m in ((10, 0), (10, 13), (11, 30))]
    view = DayView("daily", DAY, CASES)
    first = calendar_of(sent(letters.case_call(s, view, police, late=False, now=at[0]), s, at[0]))
    again = calendar_of(sent(letters.now_required(s, view, police, ["HR-2026-0001"], at[1]), s, at[1]))
    # At the cut-off nothing needs Police any more (its case was withdrawn): it was invited, so it
    # gets the cancellation, as it would with the stand-down letter.
    gone = DayView("daily", DAY, (), told={"police": Told.REQUIRED})
    cancel = calendar_of(sent(letters.attendance(s, gone, police, now=at[2]), s, at[2]))
    events = [cal.walk("VEVENT")[0] for _, cal in (first, again, cancel)]
    assert len({str(e["uid"]) for e in events}) == 1
    assert [int(e["sequence"]) for e in events] == [600, 613, 690]
    assert [m for m, _ in (first, again, cancel)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert str(events[2]["status"]) == "CANCELLED"
    withdrawn = calendar_of(sent(letters.stand_down(s, gone, police, ["HR-2026-0001"], at[1]), s, at[1]))
    assert withdrawn[0] == "CANCEL" and str(withdrawn[1].walk("VEVENT")[0]["uid"]) == str(events[0]["uid"])


def test_each_partner_has_its_own_entry(s: letters.Stationery) -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    view = DayView("daily", DAY, CASES)
    uids = {str(calendar_of(sent(letters.case_call(s, view, s.directory.get(code), late=False, now=now), s, now)
                            )[1].walk("VEVENT")[0]["uid"]) for code in ("police", "asbit")}
    assert len(uids) == 2
