"""A backlog on the real Dovecot: read in batches, each moved out only once committed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from imapclient import IMAPClient

from mailbot import config
from tests.rig.received import arrived
from tests.rig.world import BOT_PASSWORD, World, rig_config
from tests.test_backlog import break_answers_to_spa

pytestmark = pytest.mark.servers

SENDERS = ["mash@met.police.example", "spa@cnwl.example", "cnwl.highrisk@cnwl.example"]


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    return World(dc, smtp, config.parse(rig_config(dc, smtp, tmp_path / "db.sqlite")),
                 datetime(2026, 11, 23, 9, tzinfo=UTC))


def folders(world: World) -> dict[str, int]:
    with IMAPClient("127.0.0.1", port=world.dc.imap_port, ssl=False) as c:
        c.login(world.settings.bot.address, BOT_PASSWORD)
        return {f: c.folder_status(f, ["MESSAGES"])[b"MESSAGES"]
                for f in ("INBOX", "mailbot/processed", "mailbot/failed")}


def test_a_backlog_is_read_in_batches_and_a_broken_email_goes_to_the_failed_folder(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    break_answers_to_spa(monkeypatch)
    with IMAPClient("127.0.0.1", port=world.dc.imap_port, ssl=False) as c:
        c.login(world.settings.bot.address, BOT_PASSWORD)
        for k in range(60):  # more than a batch, so the round takes two
            c.append("INBOX", arrived(
                f"From: {SENDERS[k % 3]}\r\nTo: {world.settings.bot.address}\r\nSubject: RE: Case call\r\n"
                f"Message-ID: <backlog-{k}@partner.example>\r\n\r\nCase: {chr(65 + k % 26)}.{chr(65 + k // 26)}. - concern {k}\r\n".encode()))
    rt = world.runtime()
    world.clock.set(datetime(2026, 11, 23, 9, 5, tzinfo=UTC))
    try:
        asyncio.run(rt.pump())
    finally:
        rt.close()
    # 40 answers and 20 notices to the coordinators, sent as each batch was committed
    assert rt.stats == {"inbound-applied": 40, "inbound-failed": 20, "sent": 60}
    assert folders(world) == {"INBOX": 0, "mailbot/processed": 40, "mailbot/failed": 20}
    with world.store.transaction() as tx:
        assert len(tx.cases.on("daily", datetime(2026, 11, 23).date())) == 40
        assert len(tx.inbound.failed()) == 20
