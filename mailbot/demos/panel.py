"""Three months of a district council's complex case panel (examples/panel.toml): referrals,
one after the close rolled to the next sitting, one returned for more information, the agenda
two working days before each sitting with the members' confidentiality statement, accept and
decline, and each sitting reviewing the actions agreed at the one before."""

from __future__ import annotations

import os
from datetime import date, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from mailbot.services.panel_log import PanelLog

if TYPE_CHECKING:
    from mailbot.demo import Demo

CHAIR, HOUSING = "panel@wyvern.example", "housing.safeguarding@wyvern.example"
POLICE, CMHT, FIRE = "wyvern.nht@police.example", "cmht@wyvernhealth.example", "safeandwell@fire.example"
START, END = date(2026, 12, 1), date(2027, 2, 9)
MINUTES_DECEMBER = (
    "Decision CCP-2026-0001: accepted - hoarding is a fire risk to the whole block\n"
    f"Action: CCP-2026-0001 | {FIRE} | 18/12/2026 | safe and well visit, fit smoke alarms\n"
    f"Action: CCP-2026-0001 | {HOUSING} | 08/01/2027 | agree a clearance plan with J.B. and the landlord\n"
)
MINUTES_JANUARY = (
    "Decision CCP-2026-0002: accepted - cuckooing suspected, a vulnerable tenant\n"
    "Decision CCP-2027-0001: declined - already open to the CMHT's care coordinator; no multi-agency need\n"
    f"Action: CCP-2026-0002 | {POLICE} | 29/01/2027 | closure order application for the flat\n"
)


def day(d: date) -> tuple[int, int, int]:
    return d.year, d.month, d.day


async def send(demo: Demo, sender: str, body: str, subject: str, quoting: EmailMessage | None = None) -> None:
    """Send as a partner, arriving at the story's time: the demo's server files mail at the
    real time, and a panel's close is reckoned from when a referral arrived."""
    await demo.send(sender, body, subject, quoting=quoting)
    now = demo.clock.now()
    for path in (demo.work / "bot" / "new").iterdir():
        os.utime(path, (now.timestamp(), now.timestamp()))
    after = (now + timedelta(minutes=1)).astimezone(demo.settings.bot.zone)
    await demo.at(f"{after:%H:%M}", day(after.date()))  # read at once, as the bot would


async def run(demo: Demo) -> None:
    print(f"== mailbot demo: {demo.settings.meeting.name}, December 2026 to February 2027 ==")
    await december(demo)
    await january(demo)
    await weeks(demo, date(2027, 1, 13), END)
    log(demo)


async def weeks(demo: Demo, start: date, end: date) -> None:
    """Every working day at the agenda's release time and the digest time: the panel's emails
    go only on its own days."""
    d = start
    while d <= end:
        if d.weekday() < 5:
            for hhmm in ("10:00", "16:00"):
                await demo.at(hhmm, day(d))
        d += timedelta(days=1)


async def december(demo: Demo) -> None:
    print("\n== Referrals for the panel of Tuesday 8 December close at 12:00 on Thursday 3 December ==")
    demo.set("09:10", day(START))
    await send(demo, HOUSING, "Case: J.B. - hoarding, the flat is a fire risk to the block, refuses help\n"
                             "Partners: Fire, ASC", "Referral to the complex case panel")
    demo.set("11:20", day(date(2026, 12, 2)))
    await send(demo, POLICE, "Case: K.L. - 24 calls in a month, flat used by dealers, tenant vulnerable\n"
                            "Partners: Housing, ASC", "Referral")
    demo.set("12:30", day(date(2026, 12, 3)))
    await send(demo, CMHT, "Case: P.Q. - neighbours report shouting at night, known to us", "Referral")
    print("\n== Friday 4 December, two working days before: the agenda and the confidentiality statement ==")
    await weeks(demo, date(2026, 12, 4), date(2026, 12, 4))
    print("\n== Monday 7 December: the chair returns a referral for more information ==")
    demo.set("09:00", day(date(2026, 12, 7)))
    agenda = demo.last(CHAIR, "Panel agenda")
    await send(demo, CHAIR, "Return CCP-2026-0002: the tenancy history and the GP's view of K.L.'s capacity",
                    f"Re: {agenda['Subject']}", quoting=agenda)
    print("\n== Tuesday 8 December, after the panel: the chair's outcomes ==")
    demo.set("15:30", day(date(2026, 12, 8)))
    await send(demo, CHAIR, MINUTES_DECEMBER, f"Re: {agenda['Subject']}", quoting=agenda)
    await weeks(demo, date(2026, 12, 8), date(2026, 12, 17))
    print("\n== Fire report their action done ==")
    demo.set("11:00", day(date(2026, 12, 18)))
    mine = demo.last(FIRE, "Your actions")
    await send(demo, FIRE, "Done: A-1 visited with the housing officer, three smoke alarms fitted",
                    f"Re: {mine['Subject']}", quoting=mine)


async def january(demo: Demo) -> None:
    print("\n== January: the police resend K.L.'s referral with what was missing ==")
    demo.set("14:00", day(date(2026, 12, 21)))
    returned = demo.last(POLICE, "CCP-2026-0002 returned")
    await send(demo, POLICE, "The tenancy began in 2019; the GP has no concerns about K.L.'s capacity but "
                            "reports weight loss and missed appointments.", f"Re: {returned['Subject']}",
                    quoting=returned)
    print("\n== Reminders five working days before the panel; the agenda on Friday 8 January with the "
          "actions to review ==")
    await weeks(demo, date(2026, 12, 21), date(2027, 1, 12))
    print("\n== Tuesday 12 January, after the panel: one accepted, one declined ==")
    demo.set("15:30", day(date(2027, 1, 12)))
    agenda = demo.last(CHAIR, "Panel agenda")
    await send(demo, CHAIR, MINUTES_JANUARY, f"Re: {agenda['Subject']}", quoting=agenda)


def log(demo: Demo) -> None:
    print("\n== mailbot panel log ==")
    services = demo.runtime.services
    for e in PanelLog(services.k).entries(demo.settings.meeting.id, START, END):
        why = f"  {e.justification}" if e.justification else ""
        print(f"{e.day:%Y-%m-%d}  {e.reference:<14} {e.referrer:<18} {e.decision:<9}{why}")
