"""``mailbot status``: which process is active when two share one PostgreSQL."""

from __future__ import annotations

import argparse

from mailbot.cli.common import _load


def cmd_status(args: argparse.Namespace) -> int:
    from mailbot.app import office

    found = office(_load(args))
    if found is None:
        print("single process (SQLite): no standby; run 'mailbot run' on one machine only")
        return 0
    if found.holder is None:
        print("no process has been active yet")
    elif found.held:
        print(f"active: {found.holder}, epoch {found.epoch}, since {found.since:%Y-%m-%d %H:%M:%S %Z}")
    else:
        print(f"no process is active: the last was {found.holder}, epoch {found.epoch}, "
              f"in office from {found.since:%Y-%m-%d %H:%M:%S %Z}")
    for name in found.standing_by:
        print(f"standing by: {name}")
    return 0 if found.held else 1
