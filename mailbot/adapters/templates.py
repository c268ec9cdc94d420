"""Jinja2 templates from ``templates/``: StrictUndefined, HTML autoescaped, text left as written."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from mailbot.core.compose import Render
from mailbot.errors import ConfigError


def default_dir() -> Path:
    """The project's templates/ (a source checkout), else the copy installed beside Python."""
    for candidate in (
        Path(__file__).resolve().parents[2] / "templates",
        Path(sys.prefix) / "share" / "mailbot" / "templates",
    ):
        if (candidate / "case_call.txt").exists():
            return candidate
    raise ConfigError("the templates folder was not found; reinstall mailbot")


def renderer(folder: Path | None = None) -> Render:
    env = Environment(
        loader=FileSystemLoader(str(folder or default_dir())),
        undefined=StrictUndefined,
        # Partner text is escaped in every HTML email; plain text is sent as typed.
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Read once a process: checking every template file's time on each letter cost a
        # backlog of replies a stat() a template (bench/run_all.py, ingest).
        auto_reload=False,
    )

    def render(name: str, context: Mapping[str, object]) -> str:
        return env.get_template(name).render(**context)

    return render
