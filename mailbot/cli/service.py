"""Running the service, sending by hand, the inbox, the audit trail and retention."""

from __future__ import annotations

import argparse
from datetime import datetime, time
from typing import TYPE_CHECKING

from mailbot.errors import MailbotError

if TYPE_CHECKING:
    pass
from mailbot.cli.common import _actor, _drain, _load, _meeting_day, _run, _services


def cmd_run(args: argparse.Namespace) -> int:
    import asyncio
    import logging
    import signal

    from mailbot.app import build_runtime, build_standby

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for chatty in ("alembic", "apscheduler"):  # their start-up lines drown the bot's own
        logging.getLogger(chatty).setLevel(logging.WARNING)
    settings = _load(args)
    clock = getattr(args, "clock", None)
    # PostgreSQL: a second process may stand by on another host (mailbot.standby).
    runtime = (build_standby(settings, clock) if settings.database_url.startswith("postgresql")
               else build_runtime(settings, clock))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await runtime.run(stop)

    asyncio.run(main())
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from mailbot.app import open_store

    settings = _load(args)
    open_store(settings).close()
    print(f"database at {settings.database_url} is up to date")
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    services = _services(args)
    meeting = services.settings.meeting
    cal = services.calendars[meeting.id]
    if args.what == "summary":
        day = args.date or cal.meeting_held(services.clock.now())
        queued = services.send_summary(day)
        if not queued:
            print(f"the action plan of {day} was already sent in this version; nothing sent again")
    elif args.what == "digest":
        day = _meeting_day(services, args.date)
        moment = cal.at(day, meeting.digest_time)
        done = services.follow_up(meeting, max(moment, services.clock.now()) if args.date is None
                                  else moment)
        if not any(line.startswith("digest") for line in done):
            print(f"no digest for {day}: nothing overdue, or it was already sent")
    else:
        day = _meeting_day(services, args.date)
        queued_call = (services.send_case_call(meeting.id, day, by_hand=True) if args.what == "case-call"
                       else services.send_attendance(meeting.id, day, by_hand=True))
        if not queued_call:
            print(f"the {args.what} for {day} was already sent; nothing sent again")
    sent = _run(_drain(services))
    left = services.queries.waiting_to_send()
    print(f"{args.what}: {sent} emails sent now" + (f", {left} waiting to retry" if left else ""))
    return 0 if not left else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from mailbot.demo import run_demo

    return run_demo(args.out, args.screenshots)


def cmd_inbox(args: argparse.Namespace) -> int:
    services = _services(args)
    if args.action == "failed":
        rows = services.queries.failed_inbound()
        for row in rows:
            print(f"#{row['id']}  {row['received_at']:%Y-%m-%d %H:%M}  {row['sender']}  {row['subject']!r}")
            print(f"      {row['error']}")
        print(f"{len(rows)} failed email(s)")
        return 0
    if args.id is None:
        raise MailbotError("inbox retry needs the id shown by 'mailbot inbox failed'")
    outcome = services.retry(args.id)
    print(f"inbound #{args.id}: {outcome.value}")
    if services.settings.smtp is not None:
        _run(_drain(services))
    return 0 if outcome.value != "failed" else 1


def cmd_audit(args: argparse.Namespace) -> int:
    services = _services(args)
    zone = services.settings.bot.zone
    since = datetime.combine(args.since, time(0), tzinfo=zone) if args.since else None
    ref = args.case.upper() if args.case else None
    entries = services.queries.audit(ref, since)
    for e in entries:
        who = e["actor"] + (f" ({e['partner']})" if e["partner"] else "")
        print(f"{e['at'].astimezone(zone):%Y-%m-%d %H:%M:%S}  {who}  {e['action']}"
              f"{'  ' + e['reference'] if e['reference'] else ''}")
        if e["detail"]:
            print(f"    {e['detail']}")
        if e["message_key"]:
            received = e["received_at"].astimezone(zone) if e["received_at"] else None
            print(f"    from email {e['message_key']} sent by {e['sender']}"
                  + (f", received {received:%Y-%m-%d %H:%M}" if received else ""))
    print(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
          + (f" for {ref}" if ref else "") + (f" since {args.since}" if args.since else ""))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    services = _services(args)
    before = services.retention_start(services.clock.now())
    counts = services.purge(actor=_actor())
    print(f"deleted raw emails and personal details from before {before:%Y-%m-%d} "
          f"({services.settings.privacy.retention_months} months); the audit trail is kept:")
    for what, n in counts.items():
        print(f"  {n:>6}  {what}")
    return 0
