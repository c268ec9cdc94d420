"""The ``mailbot`` command: parse arguments, call one service, map errors to exit codes.

Exit codes: 0 done, 1 a mailbot error (one clear line on stderr, never a
traceback), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.errors import ConfigError, MailbotError

if TYPE_CHECKING:
    from mailbot.config import Settings

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
