"""APScheduler 3.x in the asyncio loop: cron triggers that only ask "what is due now?".

Triggers carry the zone explicitly and name weekdays (3.x counts Monday as 0,
so crontab digits would shift the week). Whether an email went out lives in
mailbot's own tables; a fired job just runs the idempotent ``due`` check, so
a misfire, a double fire or a restart cannot send anything twice. Jobs are
in memory and rebuilt from the config on every start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from mailbot.config import Settings


def build(settings: Settings, check: Callable[[], Awaitable[None]]) -> AsyncIOScheduler:
    zone = settings.bot.zone
    scheduler = AsyncIOScheduler(timezone=zone, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
    for meeting in settings.meetings:
        days = ",".join(meeting.days)
        for name, moment in (("case-call", meeting.case_call), ("cutoff", meeting.cutoff),
                             ("starts", meeting.starts), ("digest", meeting.digest_time)):
            scheduler.add_job(check, CronTrigger(day_of_week=days, hour=moment.hour,
                                                 minute=moment.minute, timezone=zone),
                              id=f"{meeting.id}:{name}", replace_existing=True)
    purge = settings.privacy.purge_time
    scheduler.add_job(check, CronTrigger(hour=purge.hour, minute=purge.minute, timezone=zone),
                      id="purge", replace_existing=True)
    # Belt and braces: a missed wake-up is caught within a minute.
    scheduler.add_job(check, IntervalTrigger(seconds=60, timezone=zone), id="due-check")
    return scheduler
