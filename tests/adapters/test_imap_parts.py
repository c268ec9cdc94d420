"""A large email is fetched in the parts mailbot reads (Dovecot on 127.0.0.1): its text
comes through as read from the whole email, its attachment's bytes never do."""

from __future__ import annotations

import random
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient import IMAPClient

from mailbot import config
from mailbot.adapters.imap import ImapMailbox
from mailbot.core.message import parse
from tests.rig.world import BOT_PASSWORD, World, rig_config

pytestmark = pytest.mark.servers


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    dc, smtp = mail_servers
    return World(dc, smtp, config.parse(rig_config(dc, smtp, tmp_path / "db.sqlite")),
                 datetime(2026, 11, 23, 10, tzinfo=UTC))


def reply(*, html: bool = False, attachment: int = 0, nested: bool = False) -> bytes:
    msg = EmailMessage()
    msg["From"] = "mash@met.police.example"
    msg["To"] = "highrisk-bot@hillingdon.example"
    msg["Subject"] = "RE: Case call"
    msg["Message-ID"] = f"<{time.time_ns()}@met.police.example>"
    msg.set_content("Partners for HR-2026-0001: CNWL\n\nKind regards\nMASH\n")
    if html:
        msg.add_alternative("<p>Partners for HR-2026-0001: <b>CNWL</b></p>", subtype="html")
    if attachment:
        msg.add_attachment(random.Random(1).randbytes(attachment), maintype="application",
                           subtype="pdf", filename="referral.pdf")
    if nested:
        inner = EmailMessage()
        inner["Subject"] = "the referral"
        inner.set_content("Referral text\n")
        msg.add_attachment(inner)
    return msg.as_bytes()


def deliver(world: World, raw: bytes) -> None:
    with IMAPClient("127.0.0.1", port=world.dc.imap_port, ssl=False) as c:
        c.login(world.settings.bot.address, BOT_PASSWORD)
        c.append("INBOX", raw)


def as_stored(world: World) -> bytes:
    """The whole email as the server hands it over (line endings its own)."""
    with IMAPClient("127.0.0.1", port=world.dc.imap_port, ssl=False) as c:
        c.login(world.settings.bot.address, BOT_PASSWORD)
        c.select_folder("INBOX", readonly=True)
        [(_, item)] = c.fetch(c.search(["ALL"]), ["BODY.PEEK[]"]).items()
        return bytes(item[b"BODY[]"])


def fetched(world: World) -> tuple[bytes, int]:
    assert world.settings.imap is not None
    box = ImapMailbox(world.settings.imap)
    try:
        [got] = box.fetch_new()
        return got.raw, box.fetched_bytes
    finally:
        box.close()


def test_a_10_mb_attachment_is_never_fetched_and_the_reply_reads_the_same(world: World) -> None:
    raw = reply(html=True, attachment=10_000_000, nested=True)
    deliver(world, raw)
    got, count = fetched(world)
    assert count < 20_000  # the attachment alone is 13 MB as sent
    whole, parts = parse(as_stored(world)), parse(got)
    assert parts.body == whole.body and "CNWL" in parts.body
    assert parts.attachments == whole.attachments == ("referral.pdf", "message/rfc822")
    assert (parts.message_id, parts.subject, parts.from_addresses) == \
        (whole.message_id, whole.subject, whole.from_addresses)
    assert parts.defects == whole.defects


def test_a_large_html_only_reply_is_read_from_its_html(world: World) -> None:
    msg = EmailMessage()
    msg["From"] = "mash@met.police.example"
    msg["Message-ID"] = f"<{time.time_ns()}@met.police.example>"
    msg.set_content("<p>Apologies for HR-2026-0001</p>", subtype="html")
    msg.add_attachment(b"x" * 400_000, maintype="image", subtype="png", filename="logo.png")
    deliver(world, msg.as_bytes())
    got, count = fetched(world)
    assert count < 5_000
    assert parse(got).body == parse(as_stored(world)).body
    assert parse(got).body_was_html


def test_a_small_reply_is_fetched_whole(world: World) -> None:
    raw = reply(attachment=20_000)
    deliver(world, raw)
    got, count = fetched(world)
    assert got == as_stored(world)
    assert count == len(got)
