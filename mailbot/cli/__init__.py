"""The ``mailbot`` command: parse arguments, call one service, map errors to exit codes.

Exit codes: 0 done, 1 a mailbot error (one clear line on stderr, never a
traceback), 2 bad arguments."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mailbot.cli.common import (
    DEFAULT_CONFIG,
    Add,
    _as_option,
    _clock_arg,
    _commands,
    _date_arg,
    _meeting_option,
    close_all,
)
from mailbot.cli.desk import actions_commands, cases_commands
from mailbot.cli.minutes import add_minutes_command
from mailbot.cli.oneoff import register as register_oneoff
from mailbot.cli.outbox import outbox_commands
from mailbot.cli.panel import register as register_panel
from mailbot.cli.reading import cmd_check_config, cmd_explain, cmd_partners_list
from mailbot.cli.service import cmd_audit, cmd_db_upgrade, cmd_demo, cmd_inbox, cmd_purge, cmd_run, cmd_send
from mailbot.cli.status import cmd_status
from mailbot.errors import MailbotError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailbot", description="Runs a daily multi-agency high-risk case discussion by email."
    )
    parser.add_argument("--config", help=f"config file (default $MAILBOT_CONFIG or {DEFAULT_CONFIG})")
    add = _commands(parser, "command", "COMMAND")
    _reading_commands(add)
    _service_commands(add)
    _desk_commands(add)
    outbox_commands(add)
    register_panel(add)
    add_minutes_command(add)
    register_oneoff(add)
    return parser


def _reading_commands(add: Add) -> None:
    p = add("explain", cmd_explain, "show how the bot reads emails, touching no database or server")
    p.add_argument("emails", nargs="+", metavar="EMAIL.eml")
    p.add_argument("--json", action="store_true", help="one JSON object per email (JSON Lines)")
    p.add_argument("--skip-sender-check", action="store_true",
                   help="read an email saved without the receiving server's Authentication-Results "
                        "as if it had passed (the running bot never does)")
    add("check-config", cmd_check_config, "check the config file and report every problem")
    p = add("partners", cmd_partners_list, "list the partners in the directory")
    p.add_argument("action", choices=["list"])


def _service_commands(add: Add) -> None:
    p = add("run", cmd_run, "run the service: scheduled emails and the inbox, until stopped")
    p.add_argument("--clock", type=_clock_arg, help="START[@SPEED] instead of the real clock (drills)")
    p = add("demo", cmd_demo, "watch a meeting day and its week on embedded mail servers (no config needed)")
    p.add_argument("--out", type=Path, help="folder for the emails as .eml and .html")
    p.add_argument("--screenshots", type=Path, metavar="DIR",
                   help="also write a PNG of every email at 390 and 1024 px (needs Chromium)")
    p.add_argument("--example", default="daily", metavar="NAME",
                   help="which example meeting to run: daily (the default), risk, ... (see README)")
    add("status", cmd_status, "which process is active, when two share one PostgreSQL")
    p = add("db", cmd_db_upgrade, "create or upgrade the database")
    p.add_argument("action", choices=["upgrade"])
    p = add("send", cmd_send, "send a day's case call, attendance list, action summary or digest now")
    p.add_argument("what", choices=["case-call", "attendance", "summary", "digest"])
    p.add_argument("--date", type=_date_arg, metavar="DATE",
                   help="the meeting day, e.g. 27/11/2026, Friday, tomorrow (default today)")
    _meeting_option(p)
    p = add("audit", cmd_audit, "show the audit trail: who changed what, when, from which email")
    p.add_argument("--case", help="only this case, e.g. HR-2026-0041")
    p.add_argument("--since", type=_date_arg, metavar="DATE",
                   help="only from this date, e.g. 1/11/2026, 1 Nov, Monday")
    p.add_argument("--json", action="store_true", help="one JSON object per entry (JSON Lines)")
    p = add("purge", cmd_purge, "delete raw emails and personal details older than the retention period "
                                "(also run daily by 'mailbot run')")
    _as_option(p)
    p = add("inbox", cmd_inbox, "list emails that failed to be read, or retry one")
    p.add_argument("action", choices=["failed", "retry"])
    p.add_argument("id", nargs="?", type=int)


def _desk_commands(add: Add) -> None:
    cases_commands(_commands(add("cases", None, "list a day's cases, show one's history, add one, "
                                                "or record a decision"), "action", "ACTION"))
    actions_commands(_commands(add("actions", None, "list actions, show one's history, or add one "
                                                    "by hand"), "action", "ACTION"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Whatever a command creates (the database and its journals, exports, the demo's output)
    # holds case details: readable by the service user only.
    umask = os.umask(0o077)
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
    except BrokenPipeError:
        # The reader went away (`mailbot audit | head`): stop quietly, as other tools do,
        # and keep Python from failing again while it flushes stdout on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        close_all()
        os.umask(umask)
