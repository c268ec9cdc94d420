"""Running the service, sending by hand, the inbox, the audit trail and retention."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from mailbot.cli.common import _actor, _drain, _load, _meeting_day, _meeting_id, _run, _send_now, _services
from mailbot.cli.outbox import print_outcomes
from mailbot.errors import MailbotError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mailbot.core.store import OutboxEntry
    from mailbot.loop import Runtime
    from mailbot.services import Services
    from mailbot.standby import Standby


def cmd_run(args: argparse.Namespace) -> int:
    import logging

    # First of all: a service manager may stop it while it is still starting.
    with _StopSignals() as stop:
        from mailbot.preflight import check_secrets

        settings = _load(args)
        check_secrets(settings)  # before the slow imports: a missing secret is one line, at once
        from mailbot.app import build_runtime, build_standby

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        for chatty in ("alembic", "apscheduler"):  # their start-up lines drown the bot's own
            logging.getLogger(chatty).setLevel(logging.WARNING)
        clock = getattr(args, "clock", None)
        # PostgreSQL: a second process may stand by on another host (mailbot.standby).
        runtime = (build_standby(settings, clock) if settings.database_url.startswith("postgresql")
                   else build_runtime(settings, clock))
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


def _run_until_stopped(runtime: Runtime | Standby, stop: _StopSignals) -> None:
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
    open_store(settings).close()
    print(f"database at {shown(settings.database_url)} is up to date")
    if warning := readable_by_others(settings.database_url):
        print(f"warning: {warning}")
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    services = _services(args)
    meeting = services.queries.meeting(_meeting_id(args))
    if args.what == "attendance" and (meeting.is_panel or not meeting.attendance_list):
        # A panel (every member sits) or a risk meeting whose agenda is its list sends none:
        # sending the daily call's letter there would tell members the wrong thing.
        print(f"error: the {meeting.name} has no attendance list; its agenda is what members get "
              "(mailbot send case-call)", file=sys.stderr)
        return 2
    given = args.date or (args.meeting.day if args.meeting else None)
    cal = services.calendars[meeting.id]
    if args.what == "summary":
        day = given or cal.meeting_held(services.clock.now())
        queued = services.send_summary(day, meeting.id) > 0
    elif args.what == "digest":
        day = _meeting_day(services, given, meeting.id)
        moment = cal.at(day, meeting.digest_time)
        done = services.follow_up(meeting, max(moment, services.clock.now()) if given is None
                                  else moment)
        queued = any(line.startswith("digest") for line in done)
    else:
        day = _meeting_day(services, given, meeting.id)
        queued = (services.send_case_call(meeting.id, day, by_hand=True) if args.what == "case-call"
                  else services.send_attendance(meeting.id, day, by_hand=True))
    before = services.outbox_desk.of_send(args.what, day)
    sent = _run(_drain(services))
    return _report_send(services, args.what, day, queued, before, sent)


def _report_send(services: Services, what: str, day: date, queued: bool, before: list[OutboxEntry],
                 sent: int) -> int:
    """Each recipient's outcome, read from the outbox: "already sent" only when it was."""
    name = {"summary": "action plan", "case-call": "case call",
            "attendance": "attendance list"}.get(what, what)
    if not before:
        print(f"no {name} for {day}: nothing to send" + (" (nothing overdue)" if what == "digest" else ""))
        return 0
    if not queued and all(e.status == "sent" for e in before):
        version = " in this version" if what == "summary" else ""
        print(f"the {name} for {day} was already sent{version}; nothing sent again:")
    elif not queued:
        print(f"the {name} for {day} was queued earlier; what became of each email:")
    else:
        print(f"the {name} for {day}:")
    ok = print_outcomes(services.outbox_desk.of_send(what, day))
    left = services.queries.waiting_to_send()
    print(f"{what}: {sent} emails sent now" + (f", {left} waiting to retry" if left else ""))
    if not ok:
        print("not every email was delivered: 'mailbot outbox --failed' lists the refused ones, "
              "'mailbot outbox retry --failed' sends them again once the cause is put right")
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from mailbot.demo import run_demo

    return run_demo(args.out, args.screenshots, args.example)


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
