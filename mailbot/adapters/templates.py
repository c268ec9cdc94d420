"""Jinja2 templates from ``templates/``: StrictUndefined, HTML autoescaped, text left as written."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
    select_autoescape,
)

from mailbot.core.compose import Render
from mailbot.errors import ConfigError
from mailbot.settings import Settings


def default_dir() -> Path:
    """The project's templates/ (a source checkout), else the copy installed beside Python."""
    for candidate in (
        Path(__file__).resolve().parents[2] / "templates",
        Path(sys.prefix) / "share" / "mailbot" / "templates",
    ):
        if (candidate / "case_call.txt").exists():
            return candidate
    raise ConfigError("the templates folder was not found; reinstall mailbot")


def renderer(folder: Path | None = None, own: Path | None = None, *, compile_now: bool = False) -> Render:
    """``own``: a meeting's folder, whose files replace the standard ones of the same name,
    includes too, so a meeting can change its reply help alone. ``compile_now``: every
    template compiled at once, as the service does when it starts (a one-off command
    compiles only the few it renders)."""
    standard: BaseLoader = FileSystemLoader(str(folder or default_dir()))
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(own)), standard]) if own else standard,
        undefined=StrictUndefined,
        # Partner text is escaped in every HTML email; plain text is sent as typed.
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are read once: the files do not change under a running bot, and
        # asking the disk before every letter showed in a large fan-out's and a backlog's time.
        auto_reload=False,
    )

    # The service compiles them when it starts, not at the first letter of each: compiling
    # was a fifth of the time of a morning's case call, paid inside its fan-out.
    for name in env.list_templates() if compile_now else ():
        try:
            env.get_template(name)
        except TemplateSyntaxError as exc:
            raise ConfigError(f"template {name}, line {exc.lineno}: {exc.message}") from exc

    def render(name: str, context: Mapping[str, object]) -> str:
        return env.get_template(name).render(**context)

    return render


def meeting_renders(settings: Settings, folder: Path | None = None, *, compile_now: bool = False
                    ) -> dict[str, Render]:
    """A renderer for each meeting with its own templates; ConfigError naming every file that
    would fail, found at start rather than when its email is due."""
    problems = [p for m in settings.meetings if m.templates
                for p in template_problems(m.id, Path(m.templates), folder)]
    if problems:
        raise ConfigError(problems)
    return {m.id: renderer(folder, Path(m.templates), compile_now=compile_now)
            for m in settings.meetings if m.templates}


def template_problems(meeting_id: str, own: Path, folder: Path | None = None) -> list[str]:
    """A file named unlike any standard template would be silently unused (a typo in its
    name), and one that does not parse would stop that meeting's emails."""
    standard = folder or default_dir()
    names = {p.name for p in standard.iterdir()}
    env = Environment(loader=ChoiceLoader([FileSystemLoader(str(own)), FileSystemLoader(str(standard))]))
    problems = []
    for path in sorted(p for p in own.iterdir() if p.is_file() and not p.name.startswith(".")):
        where = f'meeting "{meeting_id}".templates: {path.name}'
        if path.name not in names:
            problems.append(f"{where}: no standard template has this name, so it would never be used")
            continue
        try:
            env.get_template(path.name)
        except TemplateSyntaxError as exc:
            problems.append(f"{where}, line {exc.lineno}: {exc.message}")
    return problems
