"""Actions given to an owner whose address is sent case references only, on a real SQLite
database: every email the owner gets says how to learn the action, and the coordinators are
told once to phone it through."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.services import Outcome, Services
from tests.test_services import at, make, outbox, reply
from tests.test_strangers import sent, text

pytestmark = pytest.mark.usefixtures("database")
CHAIR, POLICE, HIDVA = "adultmash@hillingdon.example", "mash@met.police.example", "referrals@hidva.example"
ROUTE = ("To get them: Ask the coordinator for the action's details by phone on 01895 250111, "
         "or read it in the partnership's secure workspace.")
PLAN = ("Action: HR-2026-0001 | referrals@hidva.example | 26/11/2026 | safety plan with Q.Z. at the refuge\n"
        "Action: HR-2026-0001 | mash@met.police.example | 26/11/2026 | welfare visit to Q.Z.\n")


def after_the_meeting(tmp_path: Path) -> Services:
    s = make(tmp_path, at(23, "09:00"))
    assert s.ingest(reply(POLICE, "Case: Q.Z. - threats from ex-partner\nPartners: HIDVA", "<c@p>")) \
        is Outcome.APPLIED
    for hhmm in ("10:00", "11:30", "12:45"):
        s.clock.set(at(23, hhmm))  # type: ignore[attr-defined]
        s.due()
    assert s.ingest(reply(CHAIR, PLAN, "<plan@h>")) is Outcome.APPLIED
    s.clock.set(at(23, "12:55"))  # type: ignore[attr-defined]  the summaries wait for 10 quiet minutes
    s.due()
    return s


def test_the_coordinators_are_told_once_to_phone_the_details_through(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    [notice] = sent(s, "notice:reference-owner:")
    assert str(notice["Subject"]) == "OFFICIAL-SENSITIVE: mailbot: A-1 went to an owner sent references only"
    body = text(notice)
    assert f"{CHAIR} gave A-1 to {HIDVA} (Hillingdon Independent Domestic Violence Advocacy Service)" in body
    assert "A-1 (HR-2026-0001), due Thu 26 Nov 2026: safety plan with Q.Z. at the refuge" in body
    assert "A-2" not in body  # the police address gets full details: nothing to phone through
    # A corrected plan the same day, with another action for the same owner: still one notice.
    assert s.ingest(reply(CHAIR, PLAN + "Action: HR-2026-0001 | referrals@hidva.example | 27/11/2026 | "
                                        "call Q.Z.\n", "<plan2@h>")) is Outcome.APPLIED
    assert [k for k, _ in outbox(s) if k.startswith("notice:reference-owner:")] == [
        f"notice:reference-owner:2026-11-23:{HIDVA}"]


def test_the_owners_list_and_the_action_plan_say_how_to_get_the_details(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    [mine] = [text(m) for m in sent(s, "owner-actions:daily:2026-11-23:") if str(m["To"]) == HIDVA]
    [plan] = [text(m) for m in sent(s, "summary:") if str(m["To"]) == HIDVA]
    for body in (mine, plan):
        assert ROUTE in body
        assert "[details not sent by email: see below how to get them]" in body
        assert "safety plan" not in body and "read on the call" not in body
    [police] = [text(m) for m in sent(s, "owner-actions:") if str(m["To"]) == POLICE]
    assert "welfare visit to Q.Z." in police and "To get them" not in police


def test_reminders_and_the_escalation_say_how_to_get_the_details(tmp_path: Path) -> None:
    s = after_the_meeting(tmp_path)
    s.clock.set(at(26, "10:00"))  # type: ignore[attr-defined]
    s.due()
    [reminder] = [text(m) for m in sent(s, "reminder:A-1:")]
    assert ROUTE in reminder and "safety plan" not in reminder
    s.clock.set(at(4, "16:00", 12))  # type: ignore[attr-defined]  six working days overdue
    s.due()
    [escalation] = [text(m) for m in sent(s, "escalation:A-1")]
    assert ROUTE in escalation and "safety plan" not in escalation
