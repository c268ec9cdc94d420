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


def imports_of(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_use_cases_import_no_adapter_and_no_database_library() -> None:
    """The use cases see the world only through core's ports and store Protocols; the
    composition root (app.py) is what hands them the adapters."""
    for path in sorted((ROOT / "mailbot" / "services").glob("*.py")):
        for name in imports_of(path):
            assert not name.startswith(("mailbot.adapters", "mailbot.app", "mailbot.cli", "sqlalchemy",
                                        "imapclient", "aiosmtplib", "apscheduler")), f"{path.name} imports {name}"


def test_adapters_are_siblings_that_do_not_lean_on_each_other() -> None:
    """Each adapter stands on core and config alone, except the store's and IMAP's own modules
    and the shared TLS and sign-in helpers the two mail protocols both need."""
    allowed = {
        "db.py": {"mailbot.adapters.engine", "mailbot.adapters.repositories", "mailbot.adapters.sittings"},
        "repositories.py": {"mailbot.adapters.schema", "mailbot.adapters.engine"},
        "sittings.py": {"mailbot.adapters.schema", "mailbot.adapters.engine"},
        "engine.py": set(),
        "imap.py": {"mailbot.adapters.tls", "mailbot.adapters.signin", "mailbot.adapters.imap_parts"},
        "imap_parts.py": set(),
        "smtp.py": {"mailbot.adapters.tls", "mailbot.adapters.signin"},
    }
    for path in sorted((ROOT / "mailbot" / "adapters").glob("*.py")):
        used = {n for n in imports_of(path) if n.startswith("mailbot.adapters")}
        assert used <= allowed.get(path.name, set()), f"{path.name} imports {sorted(used)}"


def test_the_code_keeps_the_shape_it_was_given() -> None:
    """Modules that hold policy stay small, and so do functions and their parameter lists:
    outside the adapters and the migrations, no module over 300 lines, no function over 40,
    none taking more than six parameters (self aside)."""
    import statistics

    sizes: dict[str, int] = {}
    too_long: list[str] = []
    too_many: list[str] = []
    for path in sorted((ROOT / "mailbot").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "adapters" not in path.parts:
            sizes[path.name] = len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if node.end_lineno is not None and node.end_lineno - node.lineno + 1 > 40:
                    too_long.append(f"{path.name}:{node.name}")
                a = node.args
                params = [p for p in (*a.posonlyargs, *a.args, *a.kwonlyargs) if p.arg not in ("self", "cls")]
                if len(params) + bool(a.vararg) + bool(a.kwarg) > 6:
                    too_many.append(f"{path.name}:{node.name}")
    assert [name for name, n in sizes.items() if n > 300] == []
    assert too_long == [] and too_many == []
    assert statistics.median(sizes.values()) <= 130


def test_the_command_line_loads_no_use_case_until_a_command_needs_one() -> None:
    # `mailbot --help` and a mistyped command answer at once: the use cases, the database
    # library and the templates load only inside the command that uses them.
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, mailbot.cli; print(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True).stdout.split()
    heavy = [m for m in loaded if m.startswith(("mailbot.services", "mailbot.adapters", "sqlalchemy",
                                                "jinja2", "imapclient", "aiosmtplib"))]
    assert heavy == []
