"""The ``mailbot`` command: parse arguments, call one service, map errors to exit codes.

Exit codes: 0 done, 1 a mailbot error (one clear line on stderr, never a
traceback), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.errors import ConfigError, MailbotError

if TYPE_CHECKING:
    from mailbot.adapters.clock import SettableClock
    from mailbot.config import Settings
    from mailbot.services import Services

DEFAULT_CONFIG = "mailbot.toml"


def _config_path(args: argparse.Namespace) -> Path:
    return Path(args.config or os.environ.get("MAILBOT_CONFIG") or DEFAULT_CONFIG)


def _load(args: argparse.Namespace) -> Settings:
    from mailbot import config

    path = _config_path(args)
    if not path.exists():
        raise ConfigError(f"{path}: no such config file (give --config FILE or set MAILBOT_CONFIG)")
    return config.load(path)


def cmd_explain(args: argparse.Namespace) -> int:
    from mailbot.core.inbound import Context, read_parsed
    from mailbot.core.message import parse
    from mailbot.explain import as_json, as_text

    settings = _load(args)
    zone = settings.bot.zone
    status = 0
    for name in args.emails:
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            print(f"mailbot: {name}: cannot read: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        mail = parse(raw)
        # "tomorrow" and weekday names in a reply count from the day it was sent.
        sent = mail.date.astimezone(zone).date() if mail.date and mail.date.tzinfo else None
        ctx = Context(settings.bot.address, settings.directory,
                      settings.meeting.reference_prefix, sent or datetime.now(zone).date())
        reading = read_parsed(mail, ctx)
        print(as_json(reading) if args.json else as_text(reading, settings.directory, name) + "\n")
    return status


def cmd_cases(args: argparse.Namespace) -> int:
    if args.action == "list":
        return cmd_cases_list(args)
    missing = [f"--{n}" for n in ("initials", "concern", "referrer") if not getattr(args, n)]
    if missing:
        raise MailbotError(f"cases add needs {', '.join(missing)}")
    return cmd_cases_add(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from mailbot.demo import run_demo

    return run_demo(args.out)


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = _load(args)
    print(f"{_config_path(args)}: OK: {len(settings.partners)} partners, "
          f"{len(settings.meetings)} meeting(s), bot {settings.bot.address}")
    for server in (settings.imap.server if settings.imap else None, settings.smtp):
        if server is not None and not os.environ.get(server.password_env):
            print(f"warning: {server.password_env} is not set; {server.host} cannot be used yet")
    return 0


def cmd_partners_list(args: argparse.Namespace) -> int:
    settings = _load(args)
    for p in settings.partners:
        role = " (coordinator)" if p.coordinator else ""
        print(f"{p.code:<18} {p.name}{role}")
        print(f"{'':<18} names: {', '.join(p.aliases) or '-'}")
        print(f"{'':<18} emails: {', '.join(p.emails)}; domains: {', '.join(p.domains) or '-'}")
    return 0


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _clock_arg(text: str) -> SettableClock:
    """START[@SPEED]: run as if it were START, SPEED times faster than real time (drills)."""
    from mailbot.adapters.clock import SettableClock

    start, _, speed = text.partition("@")
    try:
        moment = datetime.fromisoformat(start)
        if moment.tzinfo is None:
            raise ValueError("give a UTC offset, e.g. 2026-11-23T09:55+00:00")
        return SettableClock(moment, float(speed or 1))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad --clock {text!r}: {exc}") from None


def _services(args: argparse.Namespace) -> Services:
    from mailbot.app import build_services

    return build_services(_load(args), getattr(args, "clock", None))


def _meeting_day(services: Services, given: date | None) -> date:
    cal = services.calendars[services.settings.meeting.id]
    day = given or cal.local(services.clock.now()).date()
    if not cal.is_meeting_day(day):
        why = cal.bank_holiday(day) or f"{day:%A}"
        raise MailbotError(f"{day} is not a meeting day ({why})")
    return day


async def _drain(services: Services) -> int:
    from mailbot.adapters.smtp import SmtpPostman

    smtp = services.settings.smtp
    if smtp is None:
        raise ConfigError("sending needs [smtp] in the config")
    return await services.drain(SmtpPostman(smtp, services.settings.bot.address))


def cmd_run(args: argparse.Namespace) -> int:
    import signal

    from mailbot.app import build_runtime

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = _load(args)
    runtime = build_runtime(settings, getattr(args, "clock", None))

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
    open_store(settings)
    print(f"database at {settings.database_url} is up to date")
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    services = _services(args)
    meeting = services.settings.meeting.id
    day = _meeting_day(services, args.date)
    queued = (services.send_case_call(meeting, day) if args.what == "case-call"
              else services.send_attendance(meeting, day))
    name = "case call" if args.what == "case-call" else "attendance list"
    if not queued:
        print(f"the {name} for {day} was already sent; nothing sent again")
    sent = asyncio.run(_drain(services))
    with services.store.transaction() as tx:
        left = tx.outbox_counts().get("pending", 0)
    print(f"{name} for {day}: {sent} emails sent now" + (f", {left} waiting to retry" if left else ""))
    return 0 if not left else 1


def cmd_cases_list(args: argparse.Namespace) -> int:
    services = _services(args)
    meeting = services.settings.meeting
    cal = services.calendars[meeting.id]
    day = args.date or cal.meeting_for(services.clock.now())
    with services.store.transaction() as tx:
        view = tx.day_view(meeting.id, day)
    d = services.settings.directory
    print(f"{meeting.name}: {day:%A} {day.day} {day:%B %Y}, {len(view.cases)} case(s)")
    for case in view.cases:
        names = ", ".join(d.get(p).name for p in case.partners)
        print(f"  {case.reference}  {case.subject}  {case.concern}")
        print(f"      referred by {d.get(case.referrer).name if case.referrer else '-'}; required: {names}")
    required = view.required(d)
    print(f"required: {', '.join(d.get(c).name for c in required) or 'nobody'}")
    return 0


def cmd_cases_add(args: argparse.Namespace) -> int:
    services = _services(args)
    referrer = services.settings.directory.find(args.referrer)
    if referrer is None:
        raise MailbotError(f"unknown referring partner {args.referrer!r} "
                           f"(known: {services.settings.directory.known_names()})")
    actor = f"cli:{os.environ.get('USER') or 'coordinator'}"
    result = services.add_case_by_hand(subject=args.initials, concern=args.concern,
                                       partners=args.partners or "", referrer=referrer.code, actor=actor)
    for line in result.done:
        print(line)
    for line in result.problems:
        print(f"problem: {line}", file=sys.stderr)
    if services.settings.smtp is not None:
        asyncio.run(_drain(services))
    return 0 if result.done else 1


def cmd_inbox(args: argparse.Namespace) -> int:
    services = _services(args)
    if args.action == "failed":
        with services.store.transaction() as tx:
            rows = tx.failed_inbound()
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
        asyncio.run(_drain(services))
    return 0 if outcome.value != "failed" else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailbot", description="Runs a daily multi-agency high-risk case discussion by email."
    )
    parser.add_argument("--config", help=f"config file (default $MAILBOT_CONFIG or {DEFAULT_CONFIG})")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str
            ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        p.set_defaults(func=func)
        return p

    p = add("explain", cmd_explain, "show how the bot reads emails, touching no database or server")
    p.add_argument("emails", nargs="+", metavar="EMAIL.eml")
    p.add_argument("--json", action="store_true", help="one JSON object per email (JSON Lines)")
    add("check-config", cmd_check_config, "check the config file and report every problem")
    p = add("partners", cmd_partners_list, "list the partners in the directory")
    p.add_argument("action", choices=["list"])
    p = add("run", cmd_run, "run the service: scheduled emails and the inbox, until stopped")
    p.add_argument("--clock", type=_clock_arg, help="START[@SPEED] instead of the real clock (drills)")
    p = add("demo", cmd_demo, "watch a whole day run on embedded mail servers (no config needed)")
    p.add_argument("--out", type=Path, help="folder for the emails as .eml and .html")
    p = add("db", cmd_db_upgrade, "create or upgrade the database")
    p.add_argument("action", choices=["upgrade"])
    p = add("send", cmd_send, "send a day's case call or attendance list now (never twice)")
    p.add_argument("what", choices=["case-call", "attendance"])
    p.add_argument("--date", type=_date_arg, help="the meeting day (default today)")
    p = add("cases", cmd_cases, "list a day's cases, or add one by hand")
    p.add_argument("action", choices=["list", "add"])
    p.add_argument("--date", type=_date_arg, help="the meeting day (list; default the next meeting)")
    p.add_argument("--initials", help="add: the person's initials, e.g. T.W.")
    p.add_argument("--concern", help="add: the new concern")
    p.add_argument("--partners", help="add: partners needed, e.g. 'Police, CSC'")
    p.add_argument("--referrer", help="add: the referring partner")
    p = add("inbox", cmd_inbox, "list emails that failed to be read, or retry one")
    p.add_argument("action", choices=["failed", "retry"])
    p.add_argument("id", nargs="?", type=int)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except MailbotError as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        print(f"mailbot: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(f"mailbot: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
