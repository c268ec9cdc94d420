"""The coordinators' notices, each rendered in full and compared with a file a person checked.

To see a changed notice: run with MAILBOT_WRITE_NOTICES=1, read the diff, commit what is right.
"""

from __future__ import annotations

import os
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from mailbot.adapters.templates import renderer
from mailbot.config import Settings
from mailbot.core import letters, notices
from mailbot.core.actions import ActionView
from mailbot.core.agenda import CaseView
from mailbot.core.compose import Letter
from mailbot.core.letters.oneoff import called
from mailbot.core.model import Sender
from mailbot.core.oneoff import Sitting
from mailbot.services import stationery_of
from tests.conftest import DATA

HELD = date(2026, 11, 23)


def every_notice(s: letters.Stationery) -> dict[str, Letter]:
    earlier = CaseView("HR-2026-0003", "T.W.", "threats to neighbour", "police", ("police",),
                       last_day=date(2026, 11, 16))
    action = ActionView(7, "HR-2026-0003", "mash@met.police.example", "police", date(2026, 11, 27),
                        "Visit and assess risk", "open")
    return {
        "possible_repeat": notices.possible_repeat(s, Sender("cnwl.highrisk@cnwl.example", "cnwl"),
                                                   "HR-2026-0009", earlier),
        "unknown_owner": notices.unknown_owner(s, HELD, "adultmash@hillingdon.example",
                                               "someone@elsewhere.example"),
        "cannot_complete": notices.cannot_complete(s, "mash@met.police.example", action,
                                                   "family moved away", date(2026, 11, 24), "202611231400"),
        "bounced": notices.bounced(s, "spa@cnwl.example", "CNWL Single Point of Access",
                                   "Undeliverable: Case call"),
        "spoofed": notices.spoofed(s, 41, "mash@met.police.example", "RE: Case call",
                                   "DMARC fail for met.police.example"),
        "encrypted": notices.encrypted(s, 42, "referrals@hidva.example", "HIDVA", "Secure: referral",
                                       "an Egress secure message"),
        "parked": notices.parked(s, 43, "mash@met.police.example", "RE: Case call", "ValueError: bad"),
        "missed": notices.missed(s, "attendance", HELD, "mailbot was not running between 11:30 and 12:00."),
        "expired": notices.expired(s, [("case-call:daily:2026-11-23:police", "mash@met.police.example",
                                        "SMTP 451: try later")]),
        "missed_days": notices.missed_days(s, [
            notices.Missed("case-call", date(2026, 11, 24), "The case call for Tuesday 24 November 2026 "
                           "was not sent: mailbot was not running between 10:00 and the 11:30 cut-off."),
            notices.Missed("digest", date(2026, 11, 24), "The overdue actions digest for Tuesday 24 "
                           "November 2026 was not sent: mailbot was not running at 16:00."),
            notices.Missed("case-call", HELD + timedelta(days=2), "The case call for Wednesday 25 November "
                           "2026 was not sent: mailbot was not running between 10:00 and the 11:30 cut-off.")]),
        "refused": notices.refused(s, "notice:refused:20261123T100000.000000:7", [
            notices.Refused("case-call:daily:2026-11-23:police", "mash@met.police.example",
                            "REQUIRED 12:00 - Police - Case call Mon 23 Nov: 2 cases",
                            "SMTP 550: 5.7.1 relay not permitted"),
            notices.Refused("ack:12:<a1@cnwl.example>", "spa@cnwl.example,duty@cnwl.example",
                            "RE: Case call", "some recipients refused: duty@cnwl.example: 550 no such user",
                            partial=True),
            notices.Refused("case-call:daily:2026-11-23:cnwl", "spa@cnwl.example",
                            "Stand down - CNWL - Case call Mon 23 Nov: 2 cases",
                            "SMTP 550: 5.7.1 relay not permitted")]),
        "oneoff_called": called(s, Sitting("daily", "HR-2026-0003", "professionals' meeting", date(2026, 11, 28),
                                           time(10), ("police", "cnwl", "hidva"), "mash@met.police.example",
                                           "inbound:41"), "mash@met.police.example (Police)"),
    }


@pytest.mark.parametrize("name", ["possible_repeat", "unknown_owner", "cannot_complete", "bounced",
                                  "spoofed", "encrypted", "parked", "missed", "expired", "missed_days",
                                  "refused", "oneoff_called"])
def test_each_notice_reads_as_a_person_checked_it(name: str, settings: Settings) -> None:
    s = stationery_of(settings, renderer())[settings.meeting.id]
    letter = every_notice(s)[name]
    assert letter.to == ("adultmash@hillingdon.example",)  # the coordinators, and only them
    got = f"Subject: {letter.subject}\nKey: {letter.key}\n\n{letter.text}"
    path: Path = DATA / "notices" / f"{name}.txt"
    if os.environ.get("MAILBOT_WRITE_NOTICES"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


def test_every_notice_has_a_golden_file(settings: Settings) -> None:
    s = stationery_of(settings, renderer())[settings.meeting.id]
    assert {p.stem for p in (DATA / "notices").glob("*.txt")} == set(every_notice(s))
