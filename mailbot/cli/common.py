"""What every command shares: the config, the services, dates and clocks, printing a plan."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailbot.errors import ConfigError, MailbotError

if TYPE_CHECKING:
    from mailbot.adapters.clock import SettableClock
    from mailbot.config import Settings
    from mailbot.core.changes import Plan
    from mailbot.core.model import Partner
    from mailbot.services import Services


DEFAULT_CONFIG = "mailbot.toml"

# Declares one sub-command: its name, what runs it (None for a group of sub-commands), its help.
Add = Callable[[str, "Callable[[argparse.Namespace], int] | None", str], argparse.ArgumentParser]


def _commands(parser: argparse.ArgumentParser, dest: str, metavar: str) -> Add:
    """The sub-commands of ``parser``; each takes --config after its name as well."""
    sub = parser.add_subparsers(dest=dest, required=True, metavar=metavar)

    def add(name: str, func: Callable[[argparse.Namespace], int] | None, help_: str
            ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        if func is not None:
            p.set_defaults(func=func)
        return p

    return add


def _config_path(args: argparse.Namespace) -> Path:
    return Path(args.config or os.environ.get("MAILBOT_CONFIG") or DEFAULT_CONFIG)


def _load(args: argparse.Namespace) -> Settings:
    from mailbot import config

    path = _config_path(args)
    if not path.exists():
        raise ConfigError(f"{path}: no such config file (give --config FILE or set MAILBOT_CONFIG)")
    return config.load(path)


_opened: list[Services] = []


def _services(args: argparse.Namespace) -> Services:
    from mailbot.app import build_services

    services = build_services(_load(args), getattr(args, "clock", None))
    _opened.append(services)
    return services


def close_all() -> None:
    """Close the stores a command opened, when it ends however it ends."""
    while _opened:
        _opened.pop().store.close()


def _date_arg(text: str) -> date:
    """A date as emails write them: 27/11/2026, 27 Nov, Friday, tomorrow, today, 2026-11-27
    (core's reading, counted from today on this machine)."""
    from mailbot.core.dates import DateError, parse_date

    try:
        return parse_date(text, date.today())
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


@dataclass(frozen=True, slots=True)
class MeetingChoice:
    """What ``--meeting`` named: a meeting (by id), a meeting day, or both."""

    id: str | None = None
    day: date | None = None


MEETING_HELP = ("the meeting: its id (when no case reference names it; default the first meeting), "
                "its day (27/11/2026, Monday, ...), or both: 'panel 8/12/2026'")


def _meeting_arg(text: str) -> MeetingChoice:
    """``--meeting daily``, ``--meeting 27/11/2026`` or ``--meeting "panel 8/12/2026"``: ids
    are single words no date reads as, so a date is tried first."""
    text = text.strip()
    try:
        return MeetingChoice(None, _date_arg(text))
    except argparse.ArgumentTypeError:
        pass
    ident, _, rest = text.partition(" ")
    return MeetingChoice(ident.lower(), _date_arg(rest) if rest.strip() else None)


def _meeting_id(args: argparse.Namespace) -> str | None:
    choice: MeetingChoice | None = getattr(args, "meeting", None)
    return choice.id if choice else None


def _meeting_option(parser: argparse.ArgumentParser, extra: str = "") -> None:
    parser.add_argument("--meeting", type=_meeting_arg, metavar="MEETING", help=MEETING_HELP + extra)


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


def _meeting_day(services: Services, given: date | None, meeting_id: str | None = None) -> date:
    cal = services.calendars[meeting_id or services.settings.meeting.id]
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


def _actor(args: argparse.Namespace) -> str:
    """Who made a change typed at the terminal, for the audit: --as NAME, else
    $MAILBOT_ACTOR, else the login name; each person's changes stay their own."""
    name = getattr(args, "actor", None) or os.environ.get("MAILBOT_ACTOR") or _login()
    return f"cli:{name}"


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return f"uid-{os.getuid()}"


def _actor_name(text: str) -> str:
    name = text.strip()
    if not name or any(c.isspace() or not c.isprintable() for c in name) or len(name) > 64:
        raise argparse.ArgumentTypeError(f"a name without spaces, like jsmith: {text!r}")
    return name


def _as_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="actor", metavar="NAME", type=_actor_name,
                        help="who is making this change, for the audit trail "
                             "(default $MAILBOT_ACTOR, else your login name)")


def _partner(settings: Settings, name: str) -> Partner:
    """The partner a name on the command line means; a name it does not know is an error."""
    import difflib

    directory = settings.directory
    found = directory.find(name)
    if found is not None:
        return found
    names = {n.casefold(): n for p in directory.partners
             for n in (p.name, p.code, p.short, *p.aliases) if n}
    close = difflib.get_close_matches(name.casefold(), list(names), n=1, cutoff=0.6)
    hint = f"did you mean {names[close[0]]}?" if close else f"known: {directory.known_names()}"
    raise MailbotError(f"no partner called {name!r} ({hint})")


def _send_now(services: Services) -> int:
    """Send what a change queued, returning how many went; what cannot go now waits for the
    running service."""
    if services.settings.smtp is None:
        return 0
    try:
        return _run(_drain(services))
    except MailbotError as exc:
        print(f"warning: saved, but nothing sent now ({exc}); 'mailbot run' sends it",
              file=sys.stderr)
        return 0


def _print_plan(result: Plan) -> int:
    for line in result.done:
        print(line)
    for line in result.problems:
        print(f"problem: {line}", file=sys.stderr)
    return 0 if result.done and not result.problems else 1
