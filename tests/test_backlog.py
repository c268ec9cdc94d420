"""A backlog read in batches: one transaction a batch, one savepoint an email (real SQLite)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import mailbot.services.inbound as inbound_module
from mailbot.core.letters import ReplyTo
from mailbot.core.ports import Arrival
from mailbot.services import Outcome
from tests.test_services import make, outbox, reply

pytestmark = pytest.mark.usefixtures("database")

MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London"))


def backlog() -> list[Arrival]:
    return [Arrival(reply("mash@met.police.example", "Case: T.W. - threats to a neighbour", "<a@p>")),
            Arrival(reply("spa@cnwl.example", "Case: Q.Q. - missed injections", "<b@p>")),
            Arrival(reply("cnwl.highrisk@cnwl.example", "Case: R.R. - released from custody", "<c@p>"))]


def break_answers_to_spa(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug that meets only the emails from SPA: writing their answer raises."""
    working = inbound_module.letters.acknowledgement

    def breaks_for_spa(s, to: ReplyTo, answer):  # type: ignore[no-untyped-def]
        if to.to == "spa@cnwl.example":
            raise RuntimeError("a bug meets this email")
        return working(s, to, answer)

    monkeypatch.setattr(inbound_module.letters, "acknowledgement", breaks_for_spa)


def cases_today(s) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with s.store.transaction() as tx:
        return [(c.reference, c.subject) for c in tx.cases.on("daily", MORNING.date())]


def test_an_email_that_breaks_in_a_batch_is_undone_alone_and_parked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    break_answers_to_spa(monkeypatch)
    s = make(tmp_path, MORNING)
    assert s.ingest_many(backlog()) == [Outcome.APPLIED, Outcome.FAILED, Outcome.APPLIED]
    # Q.Q.'s case was added inside its savepoint and undone with it: the next case has its number.
    assert cases_today(s) == [("HR-2026-0001", "T.W."), ("HR-2026-0002", "R.R.")]
    with s.store.transaction() as tx:
        [failed] = tx.inbound.failed()
        rows = tx.conn.exec_driver_sql("select message_key, disposition from inbound order by id").fetchall()
    assert "a bug meets this email" in failed["error"]
    assert [tuple(r) for r in rows] == [("<a@p>", "applied"), ("<b@p>", "to-coordinator"),
                                        ("<c@p>", "applied")]
    keys = [k for k, _ in outbox(s)]
    assert sum(k.startswith("ack:") for k in keys) == 2
    assert sum(k.startswith("notice:failed:") for k in keys) == 1


def test_a_batch_read_again_after_a_crash_before_the_move_changes_nothing(tmp_path: Path) -> None:
    s = make(tmp_path, MORNING)
    assert s.ingest_many(backlog()) == [Outcome.APPLIED] * 3
    before = (cases_today(s), outbox(s))
    # Committed, then stopped before the mailbox moved them: the next round reads them again.
    assert s.ingest_many(backlog()) == [Outcome.DUPLICATE] * 3
    assert (cases_today(s), outbox(s)) == before
    assert len(before[0]) == 3


def test_the_same_email_twice_in_one_batch_is_applied_once(tmp_path: Path) -> None:
    s = make(tmp_path, MORNING)
    first = backlog()[0]
    assert s.ingest_many([first, first]) == [Outcome.APPLIED, Outcome.DUPLICATE]
    assert cases_today(s) == [("HR-2026-0001", "T.W.")]


def test_a_batch_sees_the_day_each_earlier_email_changed(tmp_path: Path) -> None:
    """The day's view is read once a batch, and read afresh once an email changes it: the
    second sender's partner, added by the first email, is already required."""
    s = make(tmp_path, MORNING)
    outcomes = s.ingest_many([
        Arrival(reply("mash@met.police.example", "Case: T.W. - threats\nPartners: CNWL", "<a@p>")),
        Arrival(reply("cnwl.highrisk@cnwl.example", "Partners for HR-2026-0001: SPA", "<b@p>")),
        Arrival(reply("spa@cnwl.example", "Apologies for HR-2026-0001: on leave", "<c@p>"))])
    assert outcomes == [Outcome.APPLIED] * 3
    with s.store.transaction() as tx:
        [case] = tx.cases.on("daily", MORNING.date())
        apologies = tx.cases.day_view("daily", MORNING.date()).apologies
    assert {"cnwl", "spa"} <= set(case.partners)
    assert [a.partner for a in apologies] == ["spa"]


def test_the_day_a_batch_keeps_is_the_day_the_database_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch writes new cases, partners and what each partner was told into the day it
    read, instead of reading it again: after every email that day is what a fresh read finds."""
    s = make(tmp_path, MORNING)
    day = MORNING.date()
    s.send_case_call("daily", day)  # every partner told to stand down: the emails change that
    compared: list[int] = []
    one = inbound_module.InboundMail._one

    def checked(self, tx, *rest):  # type: ignore[no-untyped-def]
        outcome = one(self, tx, *rest)
        kept = tx.cases.day_view("daily", day)
        fresh = tx.cases._read_day("daily", day)
        assert (kept.cases, dict(kept.told), kept.apologies) == \
            (fresh.cases, dict(fresh.told), fresh.apologies)
        compared.append(len(kept.cases))
        return outcome

    monkeypatch.setattr(inbound_module.InboundMail, "_one", checked)
    emails = [
        ("mash@met.police.example", "Case: T.W. - threats\nPartners: CNWL, CNWL"),
        ("cnwl.highrisk@cnwl.example", "Case: Q.Q. - missed injections\nPartners: SPA"),
        ("spa@cnwl.example", "Partners for HR-2026-0001: SPA, Police"),
        ("spa@cnwl.example", "Apologies for HR-2026-0002: on leave"),
        ("mash@met.police.example", "Case: R.R. - released\nCase: S.S. - a knife seen"),
        ("cnwl.highrisk@cnwl.example", "Partners for HR-2026-0003: SPA"),
    ]
    outcomes = s.ingest_many([Arrival(reply(who, body, f"<{k}@p>")) for k, (who, body) in enumerate(emails)])
    assert outcomes == [Outcome.APPLIED] * len(emails)
    assert compared[-1] == 4  # every email was checked, the last with all four cases on the day
    with s.store.transaction() as tx:
        told = tx.cases.day_view("daily", day).told
    assert told["cnwl"] == told["spa"] == "required"
