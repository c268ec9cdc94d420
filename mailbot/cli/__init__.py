"""The ``mailbot`` command: parse arguments, call one service, map errors to exit codes.

Exit codes: 0 done, 1 a mailbot error (one clear line on stderr, never a
traceback), 2 bad arguments."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from mailbot.cli.common import DEFAULT_CONFIG, _clock_arg, _date_arg, close_all
from mailbot.cli.desk import cmd_actions, cmd_cases
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
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str
            ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        p.set_defaults(func=func)
        return p

    _reading_commands(add)
    _service_commands(add)
    _desk_commands(add)
    return parser


Add = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


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
    add("status", cmd_status, "which process is active, when two share one PostgreSQL")
    p = add("db", cmd_db_upgrade, "create or upgrade the database")
    p.add_argument("action", choices=["upgrade"])
    p = add("send", cmd_send, "send a day's case call, attendance list, action summary or digest now")
    p.add_argument("what", choices=["case-call", "attendance", "summary", "digest"])
    p.add_argument("--date", type=_date_arg, help="the meeting day (default today)")
    p = add("audit", cmd_audit, "show the audit trail: who changed what, when, from which email")
    p.add_argument("--case", help="only this case, e.g. HR-2026-0041")
    p.add_argument("--since", type=_date_arg, help="only from this date (YYYY-MM-DD)")
    add("purge", cmd_purge, "delete raw emails and personal details older than the retention period "
                            "(also run daily by 'mailbot run')")
    p = add("inbox", cmd_inbox, "list emails that failed to be read, or retry one")
    p.add_argument("action", choices=["failed", "retry"])
    p.add_argument("id", nargs="?", type=int)


def _desk_commands(add: Add) -> None:
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
    finally:
        close_all()
