"""The daily case call (the Hillingdon example): the demo week as it has always run. Partners
reply from different mail clients, quoting the emails they received, on a clock that jumps
through Monday morning, the chair's minutes and the owners' answers, the next day's reminders
and case call, and the overdue digest a week later."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING

from mailbot.demo import DAY

if TYPE_CHECKING:
    from mailbot.demo import Demo

NEXT_DAY = (2026, 11, 17)
WEEK_LATER = (2026, 11, 25)  # a Wednesday: two actions are more than 5 working days overdue
CHAIR = "adultmash@hillingdon.example"
MINUTES = (
    "Minutes of today's meeting:\n\n"
    "Action: HR-2026-0001 | mash@met.police.example | 17/11/2026 | welfare visit to T.W. with the PCSO\n"
    "Action: HR-2026-0001 | asbit@hillingdon.example | 17/11/2026 | check the CCTV of the stairwell for the "
    "night of 15 November and ask the housing officer about a management move for the neighbour\n"
    "Action: HR-2026-0002 | cnwl.highrisk@cnwl.example | 18/11/2026 | arrange a depot injection at home\n"
    "Action: HR-2026-0003 | referrals@hidva.example | 17/11/2026 | safety plan before the bail hearing, "
    "with a sanctuary scheme referral and a TecSOS phone\n"
    "Action: HR-2026-0003 | mash@met.police.example | 20/11/2026 | share the perpetrator's bail conditions "
    "with HIDVA and flag the address on the command and control system\n"
    "Decision HR-2026-0001: accepted\n"
    "Decision HR-2026-0002: accepted - disengaged from the community team\n"
    "Decision HR-2026-0003: accepted - DASH 18, perpetrator released from custody\n"
    "Review HR-2026-0001: 30/11/2026\n\n"
    "Thanks all\n"
)


async def run(demo: Demo) -> None:
    await _day(demo)
    await _after_the_meeting(demo)


async def _day(demo: Demo) -> None:
    police, cnwl, csc = "mash@met.police.example", "cnwl.highrisk@cnwl.example", \
        "childrensmash@hillingdon.example"
    print(f"== mailbot demo: {demo.settings.meeting.name}, Monday 16 November 2026 ==")
    await demo.send(police, "Morning,\n\nCase: T.W. - threats to neighbour with a knife, seen by PCSO "
                            "last night\nPartners: Children's Services, ASBIT\n\nThanks\nDS Jane Smith\n"
                            "MASH, Metropolitan Police", "New case for today")
    await demo.at("09:31")
    print("\n== 10:00 the case call goes to every partner ==")
    await demo.at("10:00")
    call = demo.last(cnwl, "Case call")
    quoted = "\n".join("> " + line for line in _text(call).splitlines())
    demo.clock.set(datetime(*DAY, 10, 12, tzinfo=demo.settings.bot.zone))
    await demo.send(cnwl, "Case: M.K. - missed three depot injections, family worried\nPartners: SPA\n\n"
                          f"On Mon, 16 Nov 2026 at 10:00, Hillingdon High Risk Case Discussion <\n"
                          f"highrisk-bot@hillingdon.example> wrote:\n\n{quoted}",
                    f"Re: {call['Subject']}", quoting=call)
    await demo.at("10:13")
    call = demo.last(csc, "Case call")
    await demo.send(csc, "Partners for HR-2026-0001: CNWL\n\nSent from my iPhone\n\n"
                         f"> On 16 Nov 2026, at 10:00, Hillingdon High Risk Case Discussion "
                         f"<highrisk-bot@hillingdon.example> wrote:\n>\n{_quote(_text(call))}",
                    f"Re: {call['Subject']}", quoting=call)
    await _late_morning(demo)


async def _late_morning(demo: Demo) -> None:
    """An out-of-office, a member of the public, a Welsh Outlook reply, the cut-off."""
    thh, hidva = "safeguarding@thh.example", "referrals@hidva.example"
    asbit = "asbit@hillingdon.example"
    await demo.at("10:25")
    await demo.send(thh, "I am out of the office until Wednesday with no access to email.",
                    "Automatic reply: Case call", headers={"Auto-Submitted": "auto-replied"})
    await demo.send("worried.neighbour@mail.example", "Case: J.J. - my neighbour shouts a lot",
                    "A concern")
    await demo.at("10:40")
    call = demo.last(hidva, "Case call")
    await demo.send(hidva, "Case: S.P. - DASH 18, perpetrator released from custody this morning\n"
                           "Partners: Police, London Fire Brigade\n\nDiolch\nHIDVA\n\n"
                           "Oddi wrth: Hillingdon High Risk Case Discussion "
                           "<highrisk-bot@hillingdon.example>\nAnfonwyd: 16 Tachwedd 2026 10:00\n"
                           f"At: HIDVA\nPwnc: {call['Subject']}\n\n{_text(call)}",
                    f"RE: {call['Subject']}", quoting=call)
    await demo.at("11:05")
    print("\n== 11:30 cut-off: the attendance list ==")
    await demo.at("11:30")
    await demo.send(asbit, "Case: K.L. - vulnerable adult, flat taken over by dealers\n"
                           "Partners: Police, Adult Social Care", "Late case")
    await demo.at("11:45")


async def _after_the_meeting(demo: Demo) -> None:
    """The rest of the week: minutes, action plan, owners reporting back, a reminder,
    the next case call with a returned case, and a week later the overdue digest."""
    police, cnwl = "mash@met.police.example", "cnwl.highrisk@cnwl.example"
    print("\n== 12:45 the chair sends the minutes ==")
    demo.set("12:45")
    attendance = demo.last(CHAIR, "Attendance list")
    await demo.send(CHAIR, MINUTES, f"Re: {attendance['Subject']}", quoting=attendance)
    await demo.at("12:46")
    print("\n== 12:56 ten quiet minutes later: the action plan goes out ==")
    await demo.at("12:56")
    print("\n== 14:00 owners report back ==")
    demo.set("14:00")
    mine = demo.last(police, "Your actions")
    await demo.send(police, "Done: A-1 visited with the PCSO, T.W. safe and well",
                    f"Re: {mine['Subject']}", quoting=mine)
    mine = demo.last(cnwl, "Your actions")
    await demo.send(cnwl, "Cannot complete: A-3 - family have moved out of the borough",
                    f"Re: {mine['Subject']}", quoting=mine)
    await demo.at("14:01")
    print("\n== Tuesday: the reminders, then the case call with the returned case ==")
    for hhmm in ("09:00", "10:00", "11:30"):
        await demo.at(hhmm, NEXT_DAY)
    print("\n== Wednesday 25 November: the overdue digest and the escalations ==")
    for hhmm in ("10:00", "11:30", "16:00"):
        await demo.at(hhmm, WEEK_LATER)


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return str(part.get_content()).replace("\r\n", "\n") if part is not None else ""


def _quote(text: str) -> str:
    return "\n".join(("> " + line).rstrip() for line in text.splitlines())
