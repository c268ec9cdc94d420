"""Minutes typed up after the meeting, on the real servers: two decisions and four actions,
typed a line at a time (at the desk, or with the mailbot command) or filed in one go, reach
each partner as ONE action plan."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot.cli import main
from tests.rig.world import World, dump, rig_config, subject_of, text_of, world_for

pytestmark = pytest.mark.servers
LONDON = ZoneInfo("Europe/London")
POLICE, CNWL, ASBIT = "mash@met.police.example", "cnwl.highrisk@cnwl.example", "asbit@hillingdon.example"
CHAIR, HIDVA = "adultmash@hillingdon.example", "referrals@hidva.example"
LINES = [
    "Action: HR-2026-0001 | mash@met.police.example | 27/11/2026 | welfare visit to T.W.",
    "Action: HR-2026-0001 | asbit@hillingdon.example | 27/11/2026 | check CCTV of the stairwell",
    "Action: HR-2026-0002 | cnwl.highrisk@cnwl.example | 30/11/2026 | review the care plan",
    "Action: HR-2026-0002 | mash@met.police.example | 30/11/2026 | check the PNC",
    "Decision HR-2026-0001: accepted",
    "Decision HR-2026-0002: accepted",
]


def at(day: int, hhmm: str, month: int = 11) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, month, day, h, m, tzinfo=LONDON)


@pytest.fixture
def world(mail_servers, tmp_path: Path) -> World:  # type: ignore[no-untyped-def]
    dc, smtp = mail_servers
    w = world_for(dc, smtp, tmp_path / "db.sqlite", at(23, "09:00"))
    w.reply(POLICE, "Case: T.W. - threats to neighbour\nPartners: ASBIT", subject="case")
    w.reply(CNWL, "Case: M.K. - missed appointments", subject="case")
    w.reply(HIDVA, "Apologies: on a training course", subject="RE: Case call")
    for when in ("09:30", "10:00", "11:30", "12:45"):
        w.step(at(23, when))
    return w


def plans(world: World) -> Counter[str]:
    """Action plans and owners' lists received, by address."""
    return Counter(address for address in (POLICE, CNWL, ASBIT, CHAIR, HIDVA)
                   for m in world.inbox(address)
                   if subject_of(m).startswith(("Action plan", "Your actions")))


def test_minutes_typed_a_line_at_a_time_send_one_summary_after_the_quiet_period(world: World) -> None:
    desk = world.runtime().services.desk
    for n, line in enumerate(LINES):  # a coordinator typing one line a minute, the bot running
        world.clock.set(at(23, f"13:0{n}"))
        filed = desk.minutes(line, "cli:chair", send=False)
        assert filed.applied and filed.plan.problems == []
        world.step(at(23, f"13:0{n}"))
    world.step(at(23, "13:14"))
    assert plans(world) == Counter()
    world.step(at(23, "13:15"))
    world.step(at(23, "13:30"))
    # One plan to each partner that was required or owns an action, and to the coordinators; one
    # list to each owner. HIDVA sent apologies and owns nothing: nothing.
    assert plans(world) == Counter({POLICE: 2, CNWL: 2, ASBIT: 2, CHAIR: 1})
    [plan] = [text_of(m) for m in world.inbox(CHAIR) if subject_of(m).startswith("Action plan")]
    assert subject_of(world.inbox(CHAIR)[-1]).endswith("Action plan Mon 23 Nov 2026: 2 cases, 4 actions")
    assert "Apologies sent by: HIDVA" in plan


def test_minutes_filed_in_one_go_send_one_summary_at_once_and_none_later(world: World) -> None:
    world.clock.set(at(23, "13:00"))
    filed = world.runtime().services.desk.minutes("Attended: Police, CNWL, ASBIT, ASC\n" + "\n".join(LINES),
                                                  "cli:chair")
    assert filed.applied and filed.plan.problems == []
    world.step(at(23, "13:01"))
    world.step(at(23, "13:20"))
    assert plans(world) == Counter({POLICE: 2, CNWL: 2, ASBIT: 2, CHAIR: 1})
    [plan] = [text_of(m) for m in world.inbox(POLICE) if subject_of(m).startswith("Action plan")]
    assert "Who attended: ASC, CNWL, Police, ASBIT\nApologies sent by: HIDVA" in plan


def test_minutes_typed_through_the_cli_send_one_summary_per_recipient_after_the_quiet_period(
        world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The command runs on the real clock; the minutes are of Monday 23 November, named.
    cfg = tmp_path / "mailbot.toml"
    cfg.write_text(dump(rig_config(world.dc, world.smtp, tmp_path / "db.sqlite")), encoding="utf-8")
    base = ["--config", str(cfg)]
    for case, owner, text in (("HR-2026-0001", POLICE, "welfare visit"), ("HR-2026-0001", ASBIT, "CCTV"),
                              ("HR-2026-0002", CNWL, "care plan"), ("HR-2026-0002", POLICE, "PNC")):
        assert main([*base, "actions", "add", "--meeting", "2026-11-23", "--case", case, "--owner", owner,
                     "--due", "31/12/2099", "--text", text]) == 0
    for case in ("HR-2026-0001", "HR-2026-0002"):
        assert main([*base, "cases", "decide", case, "accepted", "--meeting", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert out.count("Filed under the meeting of Mon 23 Nov 2026") == 6
    assert out.count("no email sent now: the action summary goes out after 10 quiet minutes") == 6
    typed = datetime.now(UTC)
    world.step(typed + timedelta(minutes=5))
    assert plans(world) == Counter()
    world.step(typed + timedelta(minutes=11))
    world.step(typed + timedelta(minutes=30))
    assert plans(world) == Counter({POLICE: 2, CNWL: 2, ASBIT: 2, CHAIR: 1})
    [plan] = [subject_of(m) for m in world.inbox(CHAIR) if "Action plan" in subject_of(m)]
    assert plan.endswith("Action plan Mon 23 Nov 2026: 2 cases, 4 actions")
