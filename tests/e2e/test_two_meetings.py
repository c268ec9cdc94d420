"""One deployment, two meetings, a month on the real servers: Hillingdon's daily case call and
a monthly complex case panel side by side, on a frozen clock stepped through each day's times.

Every scheduled email of each meeting goes on its own days at its own times, each once, and
only to that meeting's members: the panel's agenda, reminders and digest never reach a partner
that sits only on the daily call, and the daily call never reaches one that sits only on the
panel. Replies find their meeting by their thread or by a case reference's prefix.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from mailbot import config
from mailbot.core.actions import NewAction
from mailbot.core.changes import NewCase, Plan
from mailbot.core.ports import Actor
from tests.rig.world import World, rig_config, subject_of

pytestmark = pytest.mark.servers
LONDON = ZoneInfo("Europe/London")
START, END = date(2026, 11, 30), date(2026, 12, 31)
TIMES = ("09:59", "10:00", "11:30", "12:00", "14:00", "16:00")
DAILY_ONLY = ("cnwl.highrisk@cnwl.example", "referrals@hidva.example")
PANEL_ONLY = ("panel@hillingdon.example", "housing.safeguarding@hillingdon.example")
BOTH = ("adultmash@hillingdon.example", "mash@met.police.example")
# England and Wales bank holidays in the month: no daily call.
HOLIDAYS = {date(2026, 12, 25), date(2026, 12, 28)}


def at(day: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=LONDON)


def days() -> list[date]:
    return [START + timedelta(days=n) for n in range((END - START).days + 1)]


def working_days() -> list[date]:
    return [d for d in days() if d.weekday() < 5 and d not in HOLIDAYS]


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    data = rig_config(dc, smtp, tmp_path / "mailbot.db")
    data["partner"].append({"code": "housing", "name": "Hillingdon Housing", "short_name": "Housing",
                            "emails": ["housing.safeguarding@hillingdon.example"]})
    data["partner"][9]["emails"] = ["panel@hillingdon.example"]  # the community safety team
    data["meeting"][0]["members"] = ["asc", "police", "cnwl", "hidva"]
    data["meeting"].append({
        "id": "panel", "name": "Hillingdon Complex Case Panel", "reference_prefix": "CCP",
        "rule": "second tuesday", "referral_close_days": 3, "agenda_working_days": 2,
        "reminder_working_days": 5, "case_call": "10:00", "cutoff": "12:00", "starts": "14:00",
        "confidentiality_statement": "Members agree to keep the panel's information to the panel.",
        "members": ["community-safety", "housing", "police", "asc"], "coordinators": ["community-safety"]})
    return World(dc, smtp, config.parse(data), at(START, "09:00"))


def seed_actions(world: World) -> None:
    """An open action from each meeting's last sitting before the month, both due early in it."""
    now = at(date(2026, 11, 27), "15:00")
    chair = Actor("adultmash@hillingdon.example", now)
    with world.store.transaction() as tx:
        for meeting, ref, held, owner, partner, due in (
                ("daily", "HR-2026-0001", date(2026, 11, 27), "referrals@hidva.example", "hidva",
                 date(2026, 12, 2)),
                ("panel", "CCP-2026-0001", date(2026, 11, 10), "housing.safeguarding@hillingdon.example",
                 "housing", date(2026, 12, 1))):
            tx.cases.apply(meeting, Plan(changes=[NewCase(ref, "J.B.", "hoarding", partner, (partner,), held,
                                                          None)]), chair)
            tx.actions.add(meeting, held, NewAction(ref, owner, partner, due, "a visit"), chair)


def sent(world: World, address: str) -> list[tuple[str, datetime]]:
    """(subject, when it was written, London time) of everything in a mailbox."""
    def when(m: EmailMessage) -> datetime:
        return parsedate_to_datetime(str(m["Date"])).astimezone(LONDON).replace(second=0, microsecond=0)

    return [(subject_of(m), when(m)) for m in world.inbox(address)]


def partner_replies(world: World, day: date) -> None:
    """The police, who sit on both, answer each meeting: in its thread, then in a new email that
    names the case by its reference (with no reference and no thread, it would be asked which)."""
    police = "mash@met.police.example"
    if day == date(2026, 12, 1):
        [call] = [m for m in world.inbox(police) if "Case call Tue 1 Dec" in subject_of(m)]
        world.reply(police, "Case: A.B. - threats to a neighbour with a knife", to=call)
        world.step(at(day, "10:30"))
        world.reply(police, "Partners for HR-2026-0002: CNWL", subject="More partners")
        world.step(at(day, "10:40"))
    if day == date(2026, 12, 4):
        [agenda] = [m for m in world.inbox(police) if subject_of(m).startswith("Panel agenda ")]
        world.reply(police, "Case: K.L. - cuckooing, a vulnerable tenant", to=agenda)
        world.step(at(day, "10:30"))
        world.reply(police, f"Partners for {reference_of(world, 'K.L.')}: Housing", subject="Housing too")
        world.step(at(day, "10:40"))


def reference_of(world: World, subject: str) -> str:
    with world.store.transaction() as tx:
        return str(tx.conn.execute(text("select reference from cases where subject = :s"),
                                   {"s": subject}).scalar_one())


def test_the_daily_call_and_the_panel_side_by_side_for_a_month(world: World) -> None:
    seed_actions(world)
    for day in days():
        for hhmm in TIMES:
            world.step(at(day, hhmm))
            if hhmm == "10:00":
                partner_replies(world, day)
    # Each reply landed in the meeting of its thread, or of the reference it names.
    with world.store.transaction() as tx:
        cases = {r.subject: (r.meeting, r.reference) for r in tx.conn.execute(text(
            "select meeting, reference, subject from cases where subject in ('A.B.', 'K.L.')"))}
        partners = {(r.reference, r.partner) for r in tx.conn.execute(text(
            "select c.reference, p.partner from case_partners p join cases c on c.id = p.case_id"))}
    assert cases["A.B."] == ("daily", "HR-2026-0002")
    assert cases["K.L."][0] == "panel" and cases["K.L."][1].startswith("CCP-")
    assert ("HR-2026-0002", "cnwl") in partners and (cases["K.L."][1], "housing") in partners
    mail = {address: sent(world, address) for address in (*DAILY_ONLY, *PANEL_ONLY, *BOTH)}
    for address, emails in mail.items():
        assert len(emails) == len(set(emails)), f"{address} got an email twice"
        assert len({s for s, _ in emails}) == len(emails), f"{address} got a subject twice"
    # The daily call: a case call at 10:00 and an attendance list at 11:30 each working day.
    for address in (*DAILY_ONLY, *BOTH):
        calls = [w for s, w in mail[address] if " - Case call " in s]
        lists = [w for s, w in mail[address] if " - Attendance list " in s]
        assert calls == [at(d, "10:00") for d in working_days()]
        assert lists == [at(d, "11:30") for d in working_days()]
    # The panel: its agenda two working days before the second Tuesday, at 10:00, and nothing else daily.
    for address in (*PANEL_ONLY, *BOTH):
        agendas = [(s, w) for s, w in mail[address] if s.startswith("Panel agenda ")]
        assert agendas == [("Panel agenda Tue 8 Dec: 1 case", at(date(2026, 12, 4), "10:00"))]
    # Nothing crosses: the daily call's members only hear of it, the panel's only of the panel.
    for address in DAILY_ONLY:
        assert not [s for s, _ in mail[address] if "Panel" in s or "CCP-" in s]
    for address in PANEL_ONLY:
        assert not [s for s, _ in mail[address] if " - Case call " in s or " - Attendance list " in s
                    or "HR-" in s]
    # Reminders: the daily call's on the working day before and on the due day; the panel's once,
    # five working days before the sitting that reviews the action.
    assert [(s, w) for s, w in mail["referrals@hidva.example"] if s.startswith("Reminder: ")] == [
        ("Reminder: A-1 (HR-2026-0001) is due on Wednesday 2 December 2026", at(date(2026, 12, 1), "10:00")),
        ("Reminder: A-1 (HR-2026-0001) is due today", at(date(2026, 12, 2), "10:00"))]
    assert [(s, w) for s, w in mail["housing.safeguarding@hillingdon.example"] if s.startswith("Reminder: ")] \
        == [("Reminder: A-2 (CCP-2026-0001) is due by the panel on Tuesday 8 December 2026",
             at(date(2026, 12, 1), "10:00"))]
    # The overdue digests: the daily call's every working day once its action is late; the panel's
    # only on its agenda day and its panel day.
    daily_digests = [w for s, w in mail["adultmash@hillingdon.example"] if s.startswith("Overdue actions ")]
    assert daily_digests == [at(d, "16:00") for d in working_days() if d > date(2026, 12, 2)]
    panel_digests = [w for s, w in mail["panel@hillingdon.example"] if s.startswith("Overdue actions ")]
    assert panel_digests == [at(date(2026, 12, 4), "16:00"), at(date(2026, 12, 8), "16:00")]
    assert Counter(s.split(" ", 1)[0] for s, _ in mail["panel@hillingdon.example"]) == {
        "Panel": 1, "Overdue": 2}
