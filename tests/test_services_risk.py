"""The daily risk meeting (MASH model) as its use cases run it, on a real SQLite database with the
clock injected and nothing sent: referrals close as the agenda goes at 10:00, late ones roll on
and their senders are told the day, the agenda leads with the night's critical incidents, a
strategy discussion is recorded, and the digest names the escalation contact."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from mailbot import config
from mailbot.core.trust import stamp
from mailbot.services import Outcome, Services
from tests.test_services import at, make

RISK = Path(__file__).resolve().parent.parent / "examples" / "daily-risk.toml"
BOT = "mash-bot@southwark.example"
POLICE, YJS, IDVA = "mash.cs@met.police.example", "yjs.mash@southwark.example", "idva@solace.example"
EDUCATION, CHAIR = "education.safeguarding@southwark.example", "mash.coordinator@southwark.example"
HEAD = "head.mash@southwark.example"


def risk_meeting(tmp_path: Path, start: datetime) -> Services:
    return make(tmp_path, start, settings=config.load(RISK))


def send(s: Services, when: datetime, sender: str, body: str, n: int) -> Outcome:
    s.clock.set(when)  # type: ignore[attr-defined]
    raw = (f"From: {sender}\r\nTo: {BOT}\r\nSubject: Referral\r\nMessage-ID: <m{n}@partner.example>\r\n"
           f"\r\n{body}\r\n").encode()
    return s.ingest(stamp(raw, "mx.southwark.example", sender))


def mails(s: Services, key_starts: str) -> list[tuple[str, EmailMessage]]:
    with s.store.transaction() as tx:
        rows = tx.conn.exec_driver_sql("select key, recipients, raw from outbox join outbox_raw using (key) order by id").fetchall()
    out = []
    for key, recipients, raw in rows:
        if key.startswith(key_starts):
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            out.append((recipients, msg))
    return out


def text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_a_day_of_the_risk_meeting(tmp_path: Path) -> None:
    s = risk_meeting(tmp_path, at(23, "09:00"))
    assert send(s, at(23, "09:20"), POLICE, "Case: A.B. - missing since Sunday night\nCategory: missing", 1) \
        is Outcome.APPLIED
    send(s, at(23, "09:40"), IDVA, "Case: E.F. - DASH 20, perpetrator bailed\nCategory: high risk domestic abuse",
         2)
    send(s, at(23, "09:50"), YJS, "Case: C.D. - stabbed outside the estate last night\n"
                                  "Category: critical incident\nPartners: Health", 3)
    s.clock.set(at(23, "10:00"))  # type: ignore[attr-defined]
    assert s.due() == ["case call 2026-11-23"]
    # The agenda: the night's critical incident first, then the configured order.
    [(_, agenda)] = mails(s, "case-call:drm:2026-11-23:health")
    body = text(agenda)
    order = [body.index(ref) for ref in ("DRM-2026-0003", "DRM-2026-0001", "DRM-2026-0002")]
    assert order == sorted(order)
    assert "DRM-2026-0003  [critical incident]  C.D." in body
    assert "This is the agenda: referrals received from 10:00 go to the next meeting day." in body
    # The coordinator's list (mailbot cases list) is in the same order.
    assert [c.reference for c in s.queries.day(at(23, "09:00").date()).cases] == \
        ["DRM-2026-0003", "DRM-2026-0001", "DRM-2026-0002"]
    # A referral after 10:00 rolls to Tuesday, and its sender is told the day in so many words.
    send(s, at(23, "10:20"), EDUCATION, "Case: G.H. - going missing from school with older men\n"
                                        "Category: child exploitation", 4)
    [(to, answer)] = mails(s, "ack:4:")
    assert to == EDUCATION
    assert "it will be heard on Tuesday 24 November 2026" in text(answer)
    with s.store.transaction() as tx:
        assert [c.reference for c in tx.cases.on("drm", at(24, "09:00").date())] == ["DRM-2026-0004"]
    # No attendance list: the agenda was final.
    s.clock.set(at(23, "11:59"))  # type: ignore[attr-defined]
    assert s.due() == []
    assert mails(s, "attendance:") == []


def test_a_referral_without_a_known_category_is_kept_and_the_sender_told(tmp_path: Path) -> None:
    s = risk_meeting(tmp_path, at(23, "09:00"))
    send(s, at(23, "09:10"), POLICE, "Case: K.L. - burglary victim, 91, confused\nCategory: burglary", 1)
    send(s, at(23, "09:11"), IDVA, "Case: M.N. - DASH 15", 2)
    [(_, first)] = mails(s, "ack:1:")
    assert "DRM-2026-0001: unknown category" in text(first)
    assert "the categories are: critical incident, missing, child exploitation, gangs" in text(first)
    [(_, second)] = mails(s, "ack:2:")
    assert "DRM-2026-0002: no category given, so it is listed after the cases that have one" in text(second)
    with s.store.transaction() as tx:
        assert [c.reference for c in tx.cases.on("drm", at(23, "09:00").date())] == \
            ["DRM-2026-0001", "DRM-2026-0002"]


def test_a_strategy_discussion_is_recorded_and_escalations_reach_the_head_of_mash(tmp_path: Path) -> None:
    s = risk_meeting(tmp_path, at(23, "09:00"))
    send(s, at(23, "09:50"), YJS, "Case: C.D. - stabbed outside the estate\nCategory: critical incident", 1)
    s.clock.set(at(23, "10:00"))  # type: ignore[attr-defined]
    s.due()
    send(s, at(23, "12:40"), CHAIR, "Decision DRM-2026-0001: strategy discussion - s47 threshold met\n"
                                    f"Action: DRM-2026-0001 | {POLICE} | 24/11/2026 | joint visit with CSC", 2)
    s.clock.set(at(23, "12:50"))  # type: ignore[attr-defined]
    s.due()  # ten quiet minutes after the chair's email: the action plan goes
    [(_, plan)] = [m for m in mails(s, "summary:drm:") if m[0] == POLICE]
    assert "strategy discussion (the threshold for a joint investigation is met)" in text(plan)
    with s.store.transaction() as tx:
        assert tx.actions.decisions_of_day("drm", at(23, "09:00").date()) == \
            {"DRM-2026-0001": ("strategy discussion", "s47 threshold met")}
    # Four working days late (more than the meeting's three): escalated, the head of MASH copied
    # and named in the coordinators' digest.
    s.clock.set(at(30, "16:00"))  # type: ignore[attr-defined]
    s.due()
    [(to, escalation)] = mails(s, "escalation:")
    assert to.split(",") == [POLICE, HEAD]
    assert "has been escalated to Head of MASH <head.mash@southwark.example>, copied here" in text(escalation)
    [(to, digest)] = mails(s, "digest:drm:")
    assert to == CHAIR
    assert "Escalation contact for this meeting: Head of MASH <head.mash@southwark.example>" in text(digest)


def test_the_daily_call_keeps_its_decision_words(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "12:30"))
    raw = ("From: adultmash@hillingdon.example\r\nTo: highrisk-bot@hillingdon.example\r\nSubject: minutes\r\n"
           "Message-ID: <d1@hillingdon.example>\r\n\r\nDecision HR-2026-0001: strategy discussion - met\r\n")
    s.clock.set(at(23, "12:30"))  # type: ignore[attr-defined]
    s.ingest(stamp(raw.encode(), "mx.hillingdon.example", "adultmash@hillingdon.example"))
    [(_, answer)] = mails(s, "ack:")
    assert "'strategy discussion' is not a decision of this meeting (use accepted, declined, closed)" \
        in text(answer)


def test_a_referrer_sent_references_only_is_not_told_the_category_back(tmp_path: Path) -> None:
    s = risk_meeting(tmp_path, at(23, "09:00"))
    send(s, at(23, "09:10"), IDVA, "Case: E.F. - DASH 22\nCategory: high risk domestic abuse", 1)
    [(_, answer)] = mails(s, "ack:1:")
    assert "Added DRM-2026-0001" in text(answer) and "domestic abuse" not in text(answer)
    send(s, at(23, "09:11"), POLICE, "Case: G.H. - DASH 19\nCategory: high risk domestic abuse", 2)
    [(_, answer)] = mails(s, "ack:2:")
    assert "category: high-risk domestic abuse" in text(answer)  # a secure address is told
