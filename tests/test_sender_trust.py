"""Spoofed and encrypted emails on the whole inbound path: never applied, never lost."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import text

from mailbot import config
from mailbot.services import Outcome, Services
from tests.conftest import EXAMPLE_CONFIG
from tests.core.test_trust import EXCHANGE_PASS, EXCHANGE_SPOOF, mail
from tests.rig.received import arrived
from tests.test_services import at, make, outbox, reply

pytestmark = pytest.mark.usefixtures("database")
POLICE = "mash@met.police.example"


def exchange_online(tmp_path: Path) -> Services:
    """A deployment on Exchange Online, which writes its header with no authserv-id."""
    settings = config.load(EXAMPLE_CONFIG)
    privacy = dataclasses.replace(settings.privacy, require_dmarc_pass=True, trusted_authserv_ids=())
    return make(tmp_path, at(23, "10:05"), settings=dataclasses.replace(settings, privacy=privacy))


def trusting(tmp_path: Path) -> Services:
    settings = config.load(EXAMPLE_CONFIG)
    privacy = dataclasses.replace(settings.privacy, require_dmarc_pass=False)
    return make(tmp_path, at(23, "10:05"), settings=dataclasses.replace(settings, privacy=privacy))


def cases(s: Services) -> list[str]:
    with s.store.transaction() as tx:
        return [r[0] for r in tx.conn.exec_driver_sql("select reference from cases")]


def unstamped(sender: str, body: str) -> bytes:
    return (f"From: {sender}\r\nTo: highrisk-bot@hillingdon.example\r\nSubject: RE: Case call\r\n"
            f"Message-ID: <u@partner.example>\r\n\r\n{body}\r\n").encode()


def test_a_spoofed_partner_email_is_not_applied_not_answered_and_coordinators_are_told(tmp_path: Path) -> None:
    s = exchange_online(tmp_path)
    assert s.ingest(mail(POLICE, EXCHANGE_SPOOF)) == Outcome.REJECTED
    assert cases(s) == []
    keys = [k for k, _ in outbox(s)]
    assert not any(k.startswith(("ack:", "error:")) for k in keys)  # no answer to the impersonated
    [(key, subject)] = outbox(s)
    assert key.startswith("notice:spoofed:") and "spoofed" in subject
    with s.store.transaction() as tx:
        [entry] = [e for e in tx.audit.log() if e["action"] == "email rejected as spoofed"]
        status = tx.conn.exec_driver_sql("select status, reason from inbound").fetchone()
    assert entry["fields"]["why"] == "DMARC fail for met.police.example"
    assert tuple(status) == ("rejected", "spoofed")


def test_the_same_partner_with_a_pass_is_applied(tmp_path: Path) -> None:
    s = exchange_online(tmp_path)
    assert s.ingest(mail(POLICE, EXCHANGE_PASS)) == Outcome.APPLIED
    assert cases(s) == ["HR-2026-0001"]


def test_by_default_a_partner_email_sent_from_elsewhere_is_refused(tmp_path: Path) -> None:
    # The example config: DMARC required, only mx.hillingdon.example's header believed.
    s = make(tmp_path, at(23, "10:05"))
    assert s.settings.privacy.require_dmarc_pass
    forged = arrived(unstamped(POLICE, "Done: A-1"), envelope_from="bounce@forger.example")
    assert s.ingest(forged) == Outcome.REJECTED
    [(key, _)] = outbox(s)
    assert key.startswith("notice:spoofed:")
    with s.store.transaction() as tx:
        [entry] = [e for e in tx.audit.log() if e["action"] == "email rejected as spoofed"]
    assert entry["fields"]["why"] == "DMARC fail for met.police.example"


def test_by_default_a_header_the_sender_wrote_or_no_header_is_not_trusted(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    assert s.ingest(unstamped(POLICE, "Case: T.W. - threats")) == Outcome.REJECTED
    # A pass written by the sender under another server's name, below nothing of ours.
    forged_pass = (b"Authentication-Results: mx.forger.example; dmarc=pass header.from=met.police.example"
                   b"\r\n") + unstamped(POLICE, "Case: T.W. - threats").replace(b"<u@", b"<v@")
    assert s.ingest(forged_pass) == Outcome.REJECTED
    assert cases(s) == []
    assert s.ingest(arrived(unstamped(POLICE, "Case: T.W. - threats").replace(b"<u@", b"<w@"))) \
        == Outcome.APPLIED
    assert cases(s) == ["HR-2026-0001"]


def test_with_the_setting_off_headers_are_not_required(tmp_path: Path) -> None:
    s = trusting(tmp_path)
    assert s.ingest(unstamped(POLICE, "Case: T.W. - threats\nPartners: ASBIT")) == Outcome.APPLIED
    assert cases(s) == ["HR-2026-0001"]


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
        raw = tx.conn.execute(text("select raw from outbox join outbox_raw using (key) where key like 'ack:%'")).scalar()
    assert b"cannot open it" in raw


def test_a_disclaimer_about_encryption_does_not_hide_a_real_instruction(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    body = ("Case: T.W. - threats to a neighbour\nPartners: ASBIT\n\n"
            "This email may have been sent to you as an encrypted message; if you have received "
            "a secure message in error please delete it.")
    assert s.ingest(reply(POLICE, body)) == Outcome.APPLIED
    assert cases(s) == ["HR-2026-0001"]
