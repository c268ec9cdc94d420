"""Every email the bot sends, rendered with StrictUndefined, with hostile partner text."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mailbot.adapters.templates import renderer
from mailbot.config import Settings
from mailbot.core import letters
from mailbot.core.actions import ActionView
from mailbot.core.agenda import CaseView, DayView
from mailbot.core.compose import Letter, build

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
HOSTILE = "<script>alert(1)</script> {{ config }} {% raw %} & \u202e"
EVIL_SUBJECT = "RE: Case call\r\nBcc: everyone@evil.example"


@pytest.fixture
def stationery(settings: Settings) -> letters.Stationery:
    m = settings.meeting
    return letters.Stationery(renderer(), settings.directory, settings.bot.display_name,
                              settings.bot.address, m.id, m.name, m.starts, m.cutoff, m.dial_in)


def every_letter(s: letters.Stationery) -> list[Letter]:
    d = s.directory
    case = CaseView("HR-2026-0001", "T.W.", HOSTILE, "police", ("police", "asbit"), "returned", HOSTILE)
    view = DayView("daily", date(2026, 11, 23), (case,))
    empty = DayView("daily", date(2026, 11, 23), ())
    action = ActionView(1, "HR-2026-0001", "mash@met.police.example", "police", date(2026, 11, 28),
                        HOSTILE, "open", HOSTILE)
    rows = letters.action_rows(s, [action], letters.short_day)
    police = d.get("police")
    return [
        letters.case_call(s, view, police, late=False),
        letters.case_call(s, view, d.get("cnwl"), late=True),
        letters.case_call(s, empty, police, late=False),
        letters.attendance(s, view, police, now=NOW),
        letters.attendance(s, empty, d.get("thh"), now=NOW),
        letters.now_required(s, view, d.get("asbit"), ["HR-2026-0001"]),
        letters.acknowledgement(s, letters.ReplyTo(key="ack:1", to="mash@met.police.example", subject=EVIL_SUBJECT, message_id="<" + "a" * 200 + "@partner.example>", references=["<r@x>"]),
                                letters.Answer(done=[HOSTILE], problems=[HOSTILE], status=letters.status_context(s, view, police))),
        letters.unknown_sender(s, letters.ReplyTo(key="error:1", to="x@elsewhere.example", subject=EVIL_SUBJECT, message_id=None), coordinators=["adultmash@hillingdon.example"], public_reply=HOSTILE),
        letters.stranger_notice(s, "notice:2", letters.Written(sender="x@elsewhere.example", subject=EVIL_SUBJECT, text=HOSTILE), answered=True, inbound_id=7),
        letters.reference_owner_notice(s, key="notice:3", chair="adultmash@hillingdon.example",
                                       owner="referrals@hidva.example", partner=HOSTILE, actions=rows),
        letters.notice(s, key="notice:1", title=HOSTILE, lines=[HOSTILE]),
        letters.summary(s, plan=letters.PlanView(
            date(2026, 11, 23), "v1", [{"reference": "HR-2026-0001", "subject": "T.W.", "decision": "closed",
                                        "rationale": HOSTILE}], rows, attended=["Police", HOSTILE],
            apologies=[HOSTILE]), partner=police),
        letters.owner_actions(s, day=date(2026, 11, 23), version="v1", owner=action.owner, actions=rows),
        letters.reminder(s, action=rows[0], owner=action.owner, when="today"),
        letters.digest(s, day=date(2026, 12, 8), overdue=[{**rows[0], "days": 6, "escalated": True}]),
        letters.escalation(s, partner=police, action=rows[0], days=6),
    ]


def test_every_letter_renders_and_escapes_partner_text(stationery: letters.Stationery) -> None:
    for letter in every_letter(stationery):
        assert "{{" not in letter.html.replace("{{ config }}", "") and "<script>" not in letter.html
        if HOSTILE.split()[0] in letter.text:
            assert "&lt;script&gt;" in letter.html  # shown as text, never run
        mid, raw = build(letter, from_address=stationery.bot_address, from_name=stationery.bot_name, now=NOW)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        header_lines = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
        assert not any(line.lower().startswith(b"bcc") for line in header_lines)  # no injected header
        assert msg.get_all("Bcc") is None and "evil.example" not in str(msg["To"])
        for name in ("Message-ID", "In-Reply-To", "References"):
            assert "=?" not in str(msg.get(name, "")), name
        assert msg["Message-ID"] == mid and mid.endswith("@hillingdon.example>")
        assert msg["Auto-Submitted"] in ("auto-generated", "auto-replied")
        assert str(msg["Date"]).endswith("+0000")  # London in November
        assert msg.get_body(preferencelist=("plain",)) is not None
        assert msg.get_body(preferencelist=("html",)) is not None


def test_a_letter_rebuilt_after_a_crash_keeps_its_message_id(stationery: letters.Stationery) -> None:
    letter = every_letter(stationery)[0]
    first, _ = build(letter, from_address=stationery.bot_address, from_name="x", now=NOW)
    again, _ = build(letter, from_address=stationery.bot_address, from_name="x", now=NOW.replace(hour=11))
    assert first == again


def test_the_bots_own_lines_are_never_read_as_commands(stationery: letters.Stationery) -> None:
    from mailbot.core.commands import is_command_line

    for letter in every_letter(stationery):
        assert [line for line in letter.text.splitlines() if is_command_line(line)] == []


def test_subjects_and_previews_lead_with_the_partners_status(settings: Settings) -> None:
    m = settings.meeting
    s = letters.Stationery(renderer(), settings.directory, settings.bot.display_name, settings.bot.address,
                           m.id, m.name, m.starts, m.cutoff, m.dial_in, marking="OFFICIAL-SENSITIVE")
    d = s.directory
    cases = (CaseView("HR-2026-0001", "T.W.", "threats", "police", ("police", "asbit")),
             CaseView("HR-2026-0002", "M.K.", "missed depot", "cnwl", ("cnwl",)))
    view = DayView("daily", date(2026, 11, 23), cases)
    police = letters.case_call(s, view, d.get("police"), late=False)
    assert police.subject == "OFFICIAL-SENSITIVE: REQUIRED 12:00 - Police - Case call Mon 23 Nov: 2 cases"
    assert police.text.splitlines()[:2] == ["Police: you are required at 12:00, for HR-2026-0001.",
                                            "OFFICIAL-SENSITIVE"]
    # The hidden preheader is the first text in the HTML body.
    body = police.html.split("<body", 1)[1]
    assert body.index("Police: you are required at 12:00") < body.index("## Please reply")
    asc = letters.attendance(s, view, d.get("asc"), now=NOW)
    assert asc.subject == "OFFICIAL-SENSITIVE: Stand down - ASC - Attendance list Mon 23 Nov: 2 cases"
    assert asc.text.startswith("ASC: you may stand down.\n")
    late = letters.case_call(s, DayView("daily", date(2026, 11, 23), ()), d.get("thh"), late=True)
    assert late.subject == "OFFICIAL-SENSITIVE: Stand down - THH - LATE case call Mon 23 Nov: no cases"
    assert letters.is_late(late.subject) and not letters.is_late(police.subject)


def test_the_marking_goes_once_after_any_reply_prefix() -> None:
    assert letters.mark("RE: Case call", "OFFICIAL-SENSITIVE") == "RE: OFFICIAL-SENSITIVE: Case call"
    assert letters.mark("Re: Fwd: news", "OFFICIAL-SENSITIVE") == "Re: Fwd: OFFICIAL-SENSITIVE: news"
    marked = "RE: OFFICIAL-SENSITIVE: Case call"
    assert letters.mark(marked, "OFFICIAL-SENSITIVE") == marked
    assert letters.mark("Case call", "") == "Case call"


def test_owners_see_their_own_action_ids_and_each_date_once(stationery: letters.Stationery) -> None:
    action = ActionView(7, "HR-2026-0001", "mash@met.police.example", "police", date(2026, 12, 3),
                        "welfare visit", "open", "")
    rows = letters.action_rows(stationery, [action], letters.short_day)
    for letter in (letters.owner_actions(stationery, day=date(2026, 11, 23), version="v1",
                                         owner=action.owner, actions=rows),
                   letters.reminder(stationery, action=rows[0], owner=action.owner,
                                    when="on Thursday 3 December 2026"),
                   letters.escalation(stationery, partner=stationery.directory.get("police"),
                                      action=rows[0], days=6)):
        assert "Done: A-7" in letter.text and "A-12" not in letter.text + letter.html
    reminder = letters.reminder(stationery, action=rows[0], owner=action.owner,
                                when="on Thursday 3 December 2026")
    assert reminder.text.count("3 Dec") == 2  # the preview line, then the body: once each
    assert "Thu 3 Dec" not in reminder.text
