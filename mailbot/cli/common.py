"""What every command shares: the config, the services, dates and clocks, printing a plan."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Coroutine
from datetime import date, datetime
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


def _actor() -> str:
    return f"cli:{os.environ.get('USER') or 'coordinator'}"


def _print_plan(result: Plan) -> int:
    for line in result.done:
        print(line)
    for line in result.problems:
        print(f"problem: {line}", file=sys.stderr)
    return 0 if result.done and not result.problems else 1
