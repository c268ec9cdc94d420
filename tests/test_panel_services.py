"""A monthly panel on a real SQLite database and a frozen clock: referrals closing, the agenda
two working days before, returns and declines told to the referrer, and reminders and digests
that follow the panel's rhythm."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from mailbot import config
from mailbot.core.commands import is_command_line
from mailbot.core.trust import stamp
from mailbot.services import Outcome, Services
from tests.test_panel_config import PANEL_EXAMPLE
from tests.test_services import make, reply

LONDON = ZoneInfo("Europe/London")
CHAIR = "panel@wyvern.example"
HOUSING = "housing.safeguarding@wyvern.example"
POLICE = "wyvern.nht@police.example"
FIRE = "safeandwell@fire.example"


def at(day: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=LONDON)


def send(s: Services, sender: str, body: str, when: datetime) -> Outcome:
    s.clock.set(when)  # type: ignore[attr-defined]
    raw = (f"From: {sender}\r\nTo: complexcases@wyvern.example\r\nSubject: Referral\r\n"
           f"Message-ID: <{when:%Y%m%d%H%M}.{sender}>\r\n\r\n{body}\r\n").encode()
    return s.ingest(stamp(raw, "mx.wyvern.example", sender))


def emails(s: Services) -> list[tuple[str, str, str]]:
    """(key, recipients, text) of everything queued, in order."""
    with s.store.transaction() as tx:
        rows = tx.conn.exec_driver_sql("select key, recipients, raw from outbox join outbox_raw using (key) order by id").fetchall()
    return [(r[0], r[1], r[2].decode("utf-8", "replace")) for r in rows]


def plain(raw: str) -> str:
    message = email.message_from_string(raw, policy=email.policy.default)
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def keys(s: Services) -> list[str]:
    return [k for k, _, _ in emails(s)]


def run_days(s: Services, start: date, end: date) -> None:
    """Every day's times the scheduler wakes at, as a clock would step through them."""
    day = start
    while day <= end:
        for hhmm in ("09:59", "10:00", "12:00", "14:00", "16:00"):
            s.clock.set(at(day, hhmm))  # type: ignore[attr-defined]
            s.due()
        day += timedelta(days=1)


def panel(tmp_path: Path) -> Services:
    return make(tmp_path, at(date(2026, 12, 1), "09:00"), settings=config.load(PANEL_EXAMPLE))


def test_a_referral_after_the_close_rolls_to_the_next_panel_and_the_sender_is_told(tmp_path: Path) -> None:
    s = panel(tmp_path)
    assert send(s, HOUSING, "Case: J.B. - hoarding, fire risk\nPartners: Fire, ASC",
                at(date(2026, 12, 3), "11:59")) is Outcome.APPLIED
    assert send(s, POLICE, "Case: K.L. - repeated ASB at the flats", at(date(2026, 12, 3), "12:00")) \
        is Outcome.APPLIED
    with s.store.transaction() as tx:
        assert [c.reference for c in tx.cases.on("panel", date(2026, 12, 8))] == ["CCP-2026-0001"]
        # Numbered in the year of the sitting that will hear it, as every meeting numbers cases.
        assert [c.reference for c in tx.cases.on("panel", date(2027, 1, 12))] == ["CCP-2027-0001"]
    [answer] = [text for key, to, text in emails(s) if key.startswith("ack:") and to == POLICE]
    assert "to the Tuesday 12 January 2027 14:00 panel (it came after the cut-off)" in plain(answer)


def test_the_agenda_goes_two_working_days_before_with_the_statement_and_no_attendance_list(
        tmp_path: Path) -> None:
    s = panel(tmp_path)
    send(s, HOUSING, "Case: J.B. - hoarding, fire risk\nPartners: Fire, ASC", at(date(2026, 12, 1), "09:00"))
    run_days(s, date(2026, 12, 1), date(2026, 12, 3))
    assert not any(k.startswith("case-call:") for k in keys(s))
    run_days(s, date(2026, 12, 4), date(2026, 12, 9))
    agendas = [(k, text) for k, _, text in emails(s) if k.startswith("case-call:")]
    assert sorted(k for k, _ in agendas) == sorted(
        f"case-call:panel:2026-12-08:{code}"
        for code in ("community-safety", "housing", "police", "asc", "mental-health", "fire"))
    text = agendas[0][1]
    assert text.index("CONFIDENTIAL: By opening the agenda you agree") < text.index("CCP-2026-0001")
    assert not any(k.startswith("attendance:") for k in keys(s))
    with s.store.transaction() as tx:
        [run] = tx.conn.exec_driver_sql("select day, at from runs where kind = 'case-call'").fetchall()
    assert str(run[0]) == "2026-12-08"


def test_returned_declined_and_actions_reviewed_at_the_next_panel(tmp_path: Path) -> None:
    s = panel(tmp_path)
    send(s, HOUSING, "Case: J.B. - hoarding, fire risk\nPartners: Fire, ASC", at(date(2026, 12, 1), "09:00"))
    send(s, POLICE, "Case: K.L. - repeated ASB at the flats", at(date(2026, 12, 3), "12:30"))
    run_days(s, date(2026, 12, 1), date(2026, 12, 8))
    send(s, CHAIR, "Action: CCP-2026-0001 | safeandwell@fire.example | 06/01/2027 | fire safety visit\n"
                   "Decision CCP-2026-0001: accepted", at(date(2026, 12, 8), "15:30"))
    # The chair reads the next agenda's referrals early and sends one back.
    send(s, CHAIR, "Return CCP-2027-0001: the GP's view and the tenancy history", at(date(2027, 1, 4), "09:00"))
    [returned] = [(to, text) for k, to, text in emails(s) if k.startswith("returned:")]
    assert returned[0] == POLICE
    assert "the GP's view and the tenancy history" in returned[1] and "9 February 2027" in returned[1]
    run_days(s, date(2026, 12, 9), date(2027, 1, 13))
    agenda = next(text for k, _, text in emails(s) if k == "case-call:panel:2027-01-12:fire")
    # Quoted back in a reply, no line of it may read as an instruction.
    assert not [line for line in plain(agenda).splitlines() if is_command_line(line)]
    assert "CCP-2026-0001" in agenda and "A-1" in agenda and "fire safety visit" in agenda
    assert "CCP-2027-0001" not in agenda
    with s.store.transaction() as tx:
        assert [c.reason for c in tx.cases.on("panel", date(2027, 2, 9))] == ["returned"]
    # Reminded once, five working days before the panel that reviews it; never daily.
    assert [k for k in keys(s) if k.startswith("reminder:")] == [
        "reminder:A-1:by the panel on Tuesday 12 January 2027"]
    # Overdue from 7 January: the digest only on the agenda day and the panel day.
    assert [k for k in keys(s) if k.startswith("digest:")] == [
        "digest:panel:2027-01-08", "digest:panel:2027-01-12"]
    send(s, HOUSING, "Case: M.N. - neighbour dispute", at(date(2027, 1, 13), "09:00"))
    run_days(s, date(2027, 1, 14), date(2027, 2, 9))
    send(s, CHAIR, "Decision CCP-2027-0002: declined - a civil matter for mediation, not the panel",
         at(date(2027, 2, 9), "15:00"))
    [(to, text)] = [(to, text) for k, to, text in emails(s) if k.startswith("declined:")]
    assert to == HOUSING and "a civil matter for mediation, not the panel" in text
    assert len(keys(s)) == len(set(keys(s)))  # nothing queued twice


def test_a_declined_referral_tells_its_referrer_at_the_daily_call_too(tmp_path: Path) -> None:
    s = make(tmp_path, at(date(2026, 11, 23), "09:00"))
    assert s.ingest(reply("mash@met.police.example", "Case: T.W. - threats")) is Outcome.APPLIED
    s.clock.set(at(date(2026, 11, 23), "13:00"))  # type: ignore[attr-defined]
    s.ingest(reply("adultmash@hillingdon.example", "Decision HR-2026-0001: declined - below threshold, "
                   "refer to the neighbourhood team", "<r2@hillingdon.example>"))
    [(to, text)] = [(to, text) for k, to, text in emails(s) if k.startswith("declined:daily:HR-2026-0001")]
    assert to == "mash@met.police.example"
    assert "below threshold, refer to the neighbourhood team" in plain(text)


def test_an_agenda_the_bot_was_down_for_goes_late_or_is_told_to_the_coordinators(tmp_path: Path) -> None:
    (tmp_path / "late").mkdir()
    (tmp_path / "gone").mkdir()
    late = panel(tmp_path / "late")
    late.clock.set(at(date(2026, 12, 7), "09:00"))  # type: ignore[attr-defined]
    assert late.due() == ["agenda 2026-12-08"]
    agendas = [text for k, _, text in emails(late) if k.startswith("case-call:")]
    assert len(agendas) == 6 and all("This agenda is late" in plain(t) for t in agendas)
    gone = panel(tmp_path / "gone")
    gone.clock.set(at(date(2026, 12, 8), "15:00"))  # type: ignore[attr-defined]
    assert gone.due() == ["case-call 2026-12-08 skipped"]
    assert keys(gone) == ["notice:missed:case-call:panel:2026-12-08"]
    [(to, text)] = [(to, text) for _, to, text in emails(gone)]
    assert to == CHAIR and "The agenda for the panel of Tuesday 8 December 2026 was not sent" in plain(text)
    assert gone.due() == []


def test_a_decline_typed_up_at_the_terminal_tells_the_referrer_too(tmp_path: Path) -> None:
    s = panel(tmp_path)
    send(s, HOUSING, "Case: M.N. - neighbour dispute", at(date(2026, 12, 1), "09:00"))
    s.clock.set(at(date(2026, 12, 8), "15:00"))  # type: ignore[attr-defined]
    s.by_hand("Decision CCP-2026-0001: declined - a civil matter for mediation", "panel@wyvern.example")
    [(to, text)] = [(to, text) for k, to, text in emails(s) if k.startswith("declined:")]
    assert to == HOUSING and "a civil matter for mediation" in plain(text)
