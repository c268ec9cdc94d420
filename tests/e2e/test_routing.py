"""Two meetings in one mailbox on the real servers: a partner who sits in both answers each
meeting's case call, and each answer lands in its own meeting."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot import config
from tests.e2e.test_day import HIDVA, POLICE, at
from tests.rig.world import World, rig_config, subject_of, text_of

pytestmark = pytest.mark.servers
PANEL = "Complex Case Panel"


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    data = rig_config(dc, smtp, tmp_path / "mailbot.db")
    daily = data["meeting"][0]
    data["meeting"].append({**daily, "id": "panel", "name": PANEL, "reference_prefix": "CCP",
                            "members": ["police", "cnwl"], "coordinators": ["police"]})
    return World(dc, smtp, config.parse(data), at("09:30"))


def test_a_member_of_two_meetings_answers_each_and_each_answer_lands_in_its_meeting(world: World) -> None:
    world.step(at("10:00"))
    calls = [m for m in world.inbox(POLICE) if "case call" in subject_of(m).lower()]
    [panel_call] = [m for m in calls if PANEL in text_of(m)]
    [daily_call] = [m for m in calls if PANEL not in text_of(m)]
    assert not any(PANEL in text_of(m) for m in world.inbox(HIDVA))  # not a panel member
    world.reply(POLICE, "Case: T.W. - threats to a neighbour\nPartners: CNWL", to=panel_call)
    world.reply(POLICE, "Apologies: in court all day", to=daily_call)
    world.step(at("10:05"))
    with world.store.transaction() as tx:
        cases = tx.conn.exec_driver_sql("select meeting, reference from cases").fetchall()
        apologies = tx.conn.exec_driver_sql("select meeting, partner from apologies").fetchall()
    assert [tuple(r) for r in cases] == [("panel", "CCP-2026-0001")]
    assert [tuple(r) for r in apologies] == [("daily", "police")]
    # Each answer is threaded under the reply it answers.
    answers = {m["In-Reply-To"]: text_of(m) for m in world.inbox(POLICE) if m["In-Reply-To"]}
    assert len(answers) == 2 and any("CCP-2026-0001" in text for text in answers.values())
