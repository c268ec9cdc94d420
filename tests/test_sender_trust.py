"""Spoofed and encrypted emails on the whole inbound path: never applied, never lost."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mailbot.services import Outcome, Services
from tests.core.test_trust import EXCHANGE_PASS, EXCHANGE_SPOOF, mail
from tests.test_services import at, make, outbox, reply

POLICE = "mash@met.police.example"


def strict(tmp_path: Path) -> Services:
    s = make(tmp_path, at(23, "10:05"))
    privacy = dataclasses.replace(s.settings.privacy, require_dmarc_pass=True)
    s.settings = dataclasses.replace(s.settings, privacy=privacy)
    return s


def cases(s: Services) -> list[str]:
    with s.store.transaction() as tx:
        return [r[0] for r in tx.conn.exec_driver_sql("select reference from cases")]


def test_a_spoofed_partner_email_is_not_applied_not_answered_and_coordinators_are_told(tmp_path: Path) -> None:
    s = strict(tmp_path)
    assert s.ingest(mail(POLICE, EXCHANGE_SPOOF)) == Outcome.REJECTED
    assert cases(s) == []
    keys = [k for k, _ in outbox(s)]
    assert not any(k.startswith(("ack:", "error:")) for k in keys)  # no answer to the impersonated
    [(key, subject)] = outbox(s)
    assert key.startswith("notice:spoofed:") and "spoofed" in subject
    with s.store.transaction() as tx:
        [entry] = [e for e in tx.audit_log() if e["action"] == "email rejected as spoofed"]
        status = tx.conn.exec_driver_sql("select status, reason from inbound").fetchone()
    assert entry["fields"]["why"] == "DMARC fail for met.police.example"
    assert tuple(status) == ("rejected", "spoofed")


def test_the_same_partner_with_a_pass_is_applied(tmp_path: Path) -> None:
    s = strict(tmp_path)
    assert s.ingest(mail(POLICE, EXCHANGE_PASS)) == Outcome.APPLIED
    assert cases(s) == ["HR-2026-0001"]


def test_without_the_setting_headers_are_not_required(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    assert s.ingest(reply(POLICE, "Case: T.W. - threats\nPartners: ASBIT")) == Outcome.APPLIED


def test_a_secure_portal_notice_goes_to_coordinators_and_the_sender_is_told(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    body = ("You have received a secure message from mash@met.police.example.\n"
            "Read your secure message by clicking the link below.")
    assert s.ingest(reply(POLICE, body)) == Outcome.REJECTED
    assert cases(s) == []
    notice = [x for x in outbox(s) if x[0].startswith("notice:encrypted:")]
    assert notice and "cannot be read automatically" in notice[0][1]
    acks = [k for k, _ in outbox(s) if k.startswith("ack:")]
    assert len(acks) == 1
    with s.store.transaction() as tx:
        raw = tx.conn.exec_driver_sql("select raw from outbox where key like 'ack:%'").scalar()
    assert b"cannot open it" in raw


def test_a_disclaimer_about_encryption_does_not_hide_a_real_instruction(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    body = ("Case: T.W. - threats to a neighbour\nPartners: ASBIT\n\n"
            "This email may have been sent to you as an encrypted message; if you have received "
            "a secure message in error please delete it.")
    assert s.ingest(reply(POLICE, body)) == Outcome.APPLIED
    assert cases(s) == ["HR-2026-0001"]
