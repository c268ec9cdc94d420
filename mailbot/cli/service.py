"""Running the service, sending by hand, the inbox, the audit trail and retention."""

from __future__ import annotations

import argparse
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from mailbot.errors import MailbotError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mailbot.loop import Runtime
from mailbot.cli.common import _actor, _drain, _load, _meeting_day, _run, _send_now, _services


def cmd_run(args: argparse.Namespace) -> int:
    import logging

    # First of all: a service manager may stop it while it is still starting.
    with _StopSignals() as stop:
        from mailbot.preflight import check_secrets

        settings = _load(args)
        check_secrets(settings)  # before the slow imports: a missing secret is one line, at once
        from mailbot.app import build_runtime

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        for chatty in ("alembic", "apscheduler"):  # their start-up lines drown the bot's own
            logging.getLogger(chatty).setLevel(logging.WARNING)
        runtime = build_runtime(settings, getattr(args, "clock", None))
        if not stop.received:
            _run_until_stopped(runtime, stop)
        logging.getLogger("mailbot").info("mailbot stopped (%s)", stop.received)
    return 0


class _StopSignals:
    """SIGTERM and SIGINT ask for a clean stop, from the first moment of start-up on."""

    def __init__(self) -> None:
        self.received = ""
        self.wanted: Callable[[], object] = lambda: None
        self.before: dict[int, Any] = {}

    def __enter__(self) -> _StopSignals:
        import signal

        for sig in (signal.SIGTERM, signal.SIGINT):
            self.before[sig] = signal.signal(sig, self._heard)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for sig, handler in self.before.items():
            signal.signal(sig, handler)

    def _heard(self, number: int, frame: object = None) -> None:
        import signal

        self.received = signal.Signals(number).name
        self.wanted()


def _run_until_stopped(runtime: Runtime, stop: _StopSignals) -> None:
    import asyncio

    async def main() -> None:
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        # From a signal handler the event is set on the loop's own thread, at its next turn.
        stop.wanted = lambda: loop.call_soon_threadsafe(stopped.set)
        if stop.received:
            stopped.set()
        await runtime.run(stopped)

    asyncio.run(main())


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from mailbot.adapters.engine import readable_by_others, shown
    from mailbot.app import open_store

    settings = _load(args)
    open_store(settings)
    print(f"database at {shown(settings.database_url)} is up to date")
    if warning := readable_by_others(settings.database_url):
        print(f"warning: {warning}")
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
        print(f"{len(rows)} failed {'email' if len(rows) == 1 else 'emails'}")
        return 0
    if args.id is None:
        raise MailbotError("inbox retry needs the id shown by 'mailbot inbox failed'")
    outcome = services.retry(args.id)
    print(f"inbound #{args.id}: {outcome.value}")
    _send_now(services)
    return 0 if outcome.value != "failed" else 1


def cmd_audit(args: argparse.Namespace) -> int:
    from mailbot.cli.tables import history_rows, json_lines, plural, table

    services = _services(args)
    zone = services.settings.bot.zone
    since = datetime.combine(args.since, time(0), tzinfo=zone) if args.since else None
    ref = args.case.strip().upper() if args.case else None
    if ref:
        services.queries.case(ref)  # an unknown case is an error, not an empty trail
    entries = services.queries.audit(ref, since)
    if args.json:
        for line in json_lines(entries):
            print(line)
        return 0
    if entries:
        for line in table(["time", "who", "case", "what", "details"],
                          history_rows(entries, zone, case=True)):
            print(line)
    print(plural(len(entries), "entry", "entries")
          + (f" for {ref}" if ref else "") + (f" since {args.since}" if args.since else ""))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    services = _services(args)
    before = services.retention_start(services.clock.now())
    counts = services.purge(actor=_actor(args))
    print(f"deleted raw emails and personal details from before {before:%Y-%m-%d} "
          f"({services.settings.privacy.retention_months} months); the audit trail is kept:")
    for what, n in counts.items():
        print(f"  {n:>6}  {what}")
    return 0
