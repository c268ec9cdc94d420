"""The core stays pure: it imports no network, database or scheduler library."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

FORBIDDEN = ("imapclient", "aiosmtplib", "sqlalchemy", "apscheduler", "socket", "smtplib",
             "imaplib", "asyncio", "mailbot.adapters", "mailbot.app", "mailbot.services", "time")
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
               ("time", "time"), ("time", "monotonic"), ("time", "perf_counter")}


def core_modules() -> list[Path]:
    return sorted((ROOT / "mailbot" / "core").glob("*.py"))


def test_core_imports_no_adapter_library() -> None:
    for path in core_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), (
                    f"{path.name} imports {name}")


def test_core_never_reads_the_clock() -> None:
    for path in core_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)):
                call = (node.func.value.id, node.func.attr)
                assert call not in CLOCK_CALLS, f"{path.name}:{node.lineno} reads the clock"
