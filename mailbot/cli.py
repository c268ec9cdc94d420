"""The ``mailbot`` command: parse arguments, call one service, map errors to exit codes.

Exit codes: 0 done, 1 a mailbot error (one clear line on stderr, never a
traceback), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailbot.errors import ConfigError, MailbotError

if TYPE_CHECKING:
    from mailbot.adapters.clock import SettableClock
    from mailbot.config import Settings
    from mailbot.core.changes import Plan
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
    from mailbot.adapters.templates import renderer
    from mailbot.core.inbound import read_parsed
    from mailbot.core.message import parse
    from mailbot.explain import as_json, as_text
    from mailbot.services import reading_context, stationery_of

    settings = _load(args)
    zone = settings.bot.zone
    meeting = settings.meeting
    stationery = stationery_of(settings, renderer())[meeting.id]
    if args.skip_sender_check and settings.privacy.require_dmarc_pass:
        print("mailbot: sender checks skipped (--skip-sender-check): the running bot would still "
              "require the receiving server's DMARC pass", file=sys.stderr)
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
        ctx = reading_context(settings, meeting, stationery, sent or datetime.now(zone).date(),
                              check_sender=not args.skip_sender_check)
        reading = read_parsed(mail, ctx)
        print(as_json(reading) if args.json else as_text(reading, settings.directory, name) + "\n")
    return status


def cmd_cases(args: argparse.Namespace) -> int:
    if args.action == "list":
        return cmd_cases_list(args)
    if args.action == "show":
        return cmd_case_show(args)
    if args.action == "decide":
        if not (args.reference and args.decision):
            raise MailbotError("cases decide needs HR-... and accepted, declined or closed")
        why = f" - {args.rationale}" if args.rationale else ""
        services = _services(args)
        code = _print_plan(services.by_hand(f"Decision {args.reference}: {args.decision}{why}", _actor()))
        if services.settings.smtp is not None:
            _run(_drain(services))
        return code
    missing = [f"--{n}" for n in ("initials", "concern", "referrer") if not getattr(args, n)]
    if missing:
        raise MailbotError(f"cases add needs {', '.join(missing)}")
    return cmd_cases_add(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from mailbot.demo import run_demo

    return run_demo(args.out)


def _actor() -> str:
    return f"cli:{os.environ.get('USER') or 'coordinator'}"


def _print_plan(result: Plan) -> int:
    for line in result.done:
        print(line)
    for line in result.problems:
        print(f"problem: {line}", file=sys.stderr)
    return 0 if result.done and not result.problems else 1


def cmd_actions(args: argparse.Namespace) -> int:
    services = _services(args)
    if args.action == "add":
        missing = [f"--{n}" for n in ("case", "owner", "due", "text") if not getattr(args, n)]
        if missing:
            raise MailbotError(f"actions add needs {', '.join(missing)}")
        result = services.by_hand(f"Action: {args.case} | {args.owner} | {args.due} | {args.text}", _actor())
        code = _print_plan(result)
        if services.settings.smtp is not None:
            _run(_drain(services))
        return code
    if args.action == "show":
        return _show_action(services, args.id)
    actions = services.queries.actions(owner=args.owner, case=args.case, overdue=args.overdue)
    for line in actions:
        a = line.action
        late = f", {line.working_days_overdue} working days overdue" if line.working_days_overdue else ""
        print(f"{a.ident:<6} {a.case}  {a.status:<9} due {a.due:%a %d %b %Y}{late}  {a.owner}: {a.text}")
    print(f"{len(actions)} action(s)")
    return 0


def _show_action(services: Services, ident: str | None) -> int:
    if not ident or not ident.upper().removeprefix("A-").isdigit():
        raise MailbotError("actions show needs an action id, like A-12")
    action, history = services.queries.action(int(ident.upper().removeprefix("A-")))
    print(f"{action.ident}  {action.case}  {action.status}  due {action.due:%a %d %b %Y}")
    print(f"  owner {action.owner} ({action.owner_partner or 'outside the directory'})")
    print(f"  {action.text}")
    for h in history:
        source = f" [email {h['message_key']}]" if h["message_key"] else ""
        print(f"  {h['at']:%Y-%m-%d %H:%M}  {h['actor']}  {h['status']}  {h['note']}{source}")
    return 0


def cmd_case_show(args: argparse.Namespace) -> int:
    services = _services(args)
    ref = (args.reference or "").upper()
    record = services.queries.case(ref)
    case, log, actions = record.case, record.history, record.actions
    d = services.settings.directory
    print(f"{case.reference}  {case.subject}  {case.concern}  ({case.status})")
    print(f"  referred by {d.get(case.referrer).name if case.referrer else '-'}; "
          f"required: {', '.join(d.get(p).name for p in case.partners)}")
    for a in actions:
        print(f"  {a.ident}  {a.status}  due {a.due}  {a.owner}: {a.text}")
    print("  history:")
    for entry in log:
        source = f" [email {entry['message_key']}]" if entry["message_key"] else ""
        print(f"  {entry['at']:%Y-%m-%d %H:%M}  {entry['actor']}  {entry['action']}  "
              f"{entry['detail']}{source}")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from mailbot.config import trust_warnings

    settings = _load(args)
    print(f"{_config_path(args)}: OK: {len(settings.partners)} partners, "
          f"{len(settings.meetings)} meeting(s), bot {settings.bot.address}")
    for server in settings.servers():
        if server.auth == "password" and server.password_env and not server.password_file \
                and not os.environ.get(server.password_env):
            print(f"warning: {server.password_env} is not set; {server.host} cannot be used yet")
        if server.plain:
            print(f"warning: {server.host}:{server.port} has security = \"none\": mail is not encrypted")
    m365 = settings.m365
    if m365 is not None and m365.client_secret_env and not m365.client_secret_file \
            and not m365.certificate_file and not os.environ.get(m365.client_secret_env):
        print(f"warning: {m365.client_secret_env} is not set; Microsoft 365 sign-in cannot work yet")
    for line in trust_warnings(settings):
        print(f"warning: {line}")
    p = settings.privacy
    print(f"content: full case details to {', '.join(p.secure_domains) or 'no domain'}; "
          f"{p.default_level} to every other domain; records kept {p.retention_months} months")
    if p.require_dmarc_pass:
        print("senders: DMARC pass required, read from Authentication-Results written by "
              f"{', '.join(p.trusted_authserv_ids) or 'the topmost server (no trusted_authserv_ids)'}")
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


async def _drain(services: Services) -> int:  # run with _run(...)
    from mailbot.app import postman, warn_plain

    warn_plain(services.settings)
    return await services.drain(postman(services.settings))


def _run(coroutine: Coroutine[Any, Any, int]) -> int:
    # asyncio is imported only by the commands that need it: it costs ~0.1 s at start-up.
    import asyncio

    return asyncio.run(coroutine)


def cmd_run(args: argparse.Namespace) -> int:
    import asyncio
    import logging
    import signal

    from mailbot.app import build_runtime

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for chatty in ("alembic", "apscheduler"):  # their start-up lines drown the bot's own
        logging.getLogger(chatty).setLevel(logging.WARNING)
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


def cmd_cases_list(args: argparse.Namespace) -> int:
    services = _services(args)
    meeting = services.settings.meeting
    cal = services.calendars[meeting.id]
    day = args.date or cal.meeting_for(services.clock.now())
    view = services.queries.day(day)
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
        _run(_drain(services))
    return 0 if result.done else 1


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
    p.add_argument("--skip-sender-check", action="store_true",
                   help="read an email saved without the receiving server's Authentication-Results "
                        "as if it had passed (the running bot never does)")
    add("check-config", cmd_check_config, "check the config file and report every problem")
    p = add("partners", cmd_partners_list, "list the partners in the directory")
    p.add_argument("action", choices=["list"])
    p = add("run", cmd_run, "run the service: scheduled emails and the inbox, until stopped")
    p.add_argument("--clock", type=_clock_arg, help="START[@SPEED] instead of the real clock (drills)")
    p = add("demo", cmd_demo, "watch a whole day run on embedded mail servers (no config needed)")
    p.add_argument("--out", type=Path, help="folder for the emails as .eml and .html")
    p = add("db", cmd_db_upgrade, "create or upgrade the database")
    p.add_argument("action", choices=["upgrade"])
    p = add("send", cmd_send, "send a day's case call, attendance list, action summary or digest now")
    p.add_argument("what", choices=["case-call", "attendance", "summary", "digest"])
    p.add_argument("--date", type=_date_arg, help="the meeting day (default today)")
    p = add("cases", cmd_cases, "list a day's cases, show one's history, add one, or record a decision")
    p.add_argument("action", choices=["list", "show", "add", "decide"])
    p.add_argument("reference", nargs="?", help="show/decide: the case, e.g. HR-2026-0041")
    p.add_argument("decision", nargs="?", choices=["accepted", "declined", "closed"])
    p.add_argument("--rationale", help="decide: why (needed for declined and closed)")
    p.add_argument("--date", type=_date_arg, help="the meeting day (list; default the next meeting)")
    p.add_argument("--initials", help="add: the person's initials, e.g. T.W.")
    p.add_argument("--concern", help="add: the new concern")
    p.add_argument("--partners", help="add: partners needed, e.g. 'Police, CSC'")
    p.add_argument("--referrer", help="add: the referring partner")
    p = add("actions", cmd_actions, "list actions, show one's history, or add one by hand")
    p.add_argument("action", choices=["list", "show", "add"])
    p.add_argument("id", nargs="?", help="show: the action, e.g. A-12")
    p.add_argument("--overdue", action="store_true", help="list: only open actions past their due date")
    p.add_argument("--owner", help="list: only this owner's; add: the owner's email")
    p.add_argument("--case", help="list: only this case's; add: the case reference")
    p.add_argument("--due", help="add: the due date, e.g. 27/11/2026 or Friday")
    p.add_argument("--text", help="add: what is to be done")
    p = add("audit", cmd_audit, "show the audit trail: who changed what, when, from which email")
    p.add_argument("--case", help="only this case, e.g. HR-2026-0041")
    p.add_argument("--since", type=_date_arg, help="only from this date (YYYY-MM-DD)")
    add("purge", cmd_purge, "delete raw emails and personal details older than the retention period "
                            "(also run daily by 'mailbot run')")
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
