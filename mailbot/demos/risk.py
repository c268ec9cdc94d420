"""A week of the daily risk management meeting (examples/daily-risk.toml, a London borough's
MASH): referrals before and after the 10:00 cut-off, the night's critical incident first on
the agenda, categories, a strategy discussion, and a week later the overdue digest naming the
head of MASH, who is copied on the escalation."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.demo import Demo

SUNDAY, MONDAY, TUESDAY = (2026, 11, 15), (2026, 11, 16), (2026, 11, 17)
NEXT_MONDAY = (2026, 11, 23)  # the joint visit due on Tuesday is four working days late
POLICE, EDUCATION = "mash.cs@met.police.example", "education.safeguarding@southwark.example"
IDVA, YJS, CHAIR = "idva@solace.example", "yjs.mash@southwark.example", "mash.coordinator@southwark.example"
MINUTES = (
    "Outcomes of today's daily risk meeting:\n\n"
    "Decision DRM-2026-0002: strategy discussion - s47 threshold met, joint investigation with the police\n"
    "Decision DRM-2026-0001: accepted\n"
    "Decision DRM-2026-0003: accepted - referred to MARAC\n"
    "Decision DRM-2026-0004: declined - already open to YJS, no new risk\n"
    f"Action: DRM-2026-0002 | {POLICE} | 17/11/2026 | joint visit to C.D. and family with children's "
    "social care\n"
    f"Action: DRM-2026-0001 | {EDUCATION} | 18/11/2026 | return-home interview with A.B. at school\n"
)


async def run(demo: Demo) -> None:
    print(f"== mailbot demo: {demo.settings.meeting.name}, the week of Monday 16 November 2026 ==")
    print("\n== Sunday night and Monday morning: referrals before the 10:00 cut-off ==")
    demo.set("21:10", SUNDAY)
    await demo.send(EDUCATION, "Case: A.B. - 14, missing from home since Saturday evening\n"
                               "Category: missing\nPartners: Police", "Referral: missing child")
    await demo.at("21:11", SUNDAY)
    demo.set("06:50", MONDAY)
    await demo.send(POLICE, "Case: C.D. - 15, stabbed outside the estate at 02:00, in hospital\n"
                            "Category: critical incident\nPartners: Health, YJS",
                    "Overnight critical incident")
    await demo.at("06:51", MONDAY)
    demo.set("09:15", MONDAY)
    await demo.send(IDVA, "Case: E.F. - DASH 22, non-fatal strangulation, perpetrator released on bail\n"
                          "Category: high risk domestic abuse\nPartners: Police, Health", "DA referral")
    demo.set("09:40", MONDAY)
    await demo.send(YJS, "Case: G.H. - 16, seen with older males linked to county lines\n"
                         "Category: child exploitation\nPartners: Education", "Referral")
    await demo.at("09:41", MONDAY)
    print("\n== 10:00 the agenda goes to the members: the night's critical incident first ==")
    await demo.at("10:00", MONDAY)
    print("\n== 10:20 a referral after the cut-off rolls to Tuesday, and its sender is told ==")
    demo.set("10:20", MONDAY)
    await demo.send(YJS, "Case: J.K. - 17, named in a rival drill video, threats to stab him\n"
                         "Category: gangs\nPartners: Police", "Referral")
    await demo.at("10:21", MONDAY)
    print("\n== 12:45 the coordinator records the outcomes: a strategy discussion ==")
    demo.set("12:45", MONDAY)
    agenda = demo.last(CHAIR, "Case call")
    await demo.send(CHAIR, MINUTES, f"Re: {agenda['Subject']}", quoting=agenda)
    await demo.at("12:46", MONDAY)
    print("\n== 12:56 ten quiet minutes later: the action plan goes out ==")
    await demo.at("12:56", MONDAY)
    print("\n== Tuesday 10:00: the agenda with Monday's late referral ==")
    await demo.at("09:00", TUESDAY)
    await demo.at("10:00", TUESDAY)
    print("\n== Monday 23 November 16:00: the overdue digest names the head of MASH ==")
    await demo.at("10:00", NEXT_MONDAY)
    await demo.at("16:00", NEXT_MONDAY)
