"""A fan-out cut short on the real SMTP adapter and the rig's aiosmtpd server: whatever the
moment, the emails the server has accepted are recorded as sent, but for at most the one
whose outcome was being recorded, and the next round sends every other email once."""

from __future__ import annotations

import asyncio
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot import config
from mailbot.adapters.clock import SettableClock
from mailbot.app import build_services, postman
from mailbot.core.ports import OutboxRow
from mailbot.services import Services
from tests.rig.postman import AtOutcome
from tests.rig.smtp import SMTPServer
from tests.test_cli_commands import write_config

pytestmark = pytest.mark.usefixtures("database")

TEN = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London"))


class Killed(Exception):
    """The process dies: nothing after it runs."""


def dies(row: OutboxRow) -> None:
    """The process dies the moment SMTP has accepted this email, before its outcome is recorded."""
    raise Killed(row.key)


def delivered(server: SMTPServer) -> list[str]:
    return [str(message_from_bytes(m.data, policy=policy.default)["Message-ID"]) for m in server.messages]


def statuses(s: Services) -> dict[str, str]:
    with s.store.transaction() as tx:
        return {e.message_id: e.status for e in tx.outbox.entries()}


@pytest.mark.parametrize("k", [1, 4])
def test_a_send_cut_short_leaves_one_email_in_doubt_and_the_rest_go_once(
        tmp_path: Path, smtp: tuple[SMTPServer, Path], k: int) -> None:
    server, ca = smtp
    s = build_services(config.load(write_config(tmp_path, server, ca)), SettableClock(TEN))
    try:
        cut_short_then_resumed(s, server, k)
    finally:
        s.store.close()


def cut_short_then_resumed(s: Services, server: SMTPServer, k: int) -> None:
    assert s.send_case_call(s.settings.meeting.id, TEN.date())
    queued = list(statuses(s))
    with pytest.raises(Killed):
        asyncio.run(s.drain(AtOutcome(postman(s.settings), k, dies)))
    # The server has the k emails whose DATA went, and not one more: the email after the
    # k-th never went, as the k-th was not recorded. All but the k-th are recorded as sent.
    went = delivered(server)
    assert went == queued[:k]
    after = statuses(s)
    assert [m for m in queued if after[m] == "sent"] == queued[:k - 1]
    assert all(after[m] == "sending" for m in queued[k - 1:])
    # On restart the one in doubt is found in Sent, the others go again: each email once.
    assert s.recover(lambda ids: set(ids) & set(went)) == (1, len(queued) - k)
    assert asyncio.run(s.drain(postman(s.settings))) == len(queued) - k
    assert sorted(delivered(server)) == sorted(queued)
    assert set(statuses(s).values()) == {"sent"}
