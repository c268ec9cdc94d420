"""The config file: TOML -> frozen settings, every problem reported at once by key path.

Secrets never live in the file: it names the environment variable that holds
each one (``password_env``), or a file only the service user can read
(``password_file``); either is read only when a connection is made, but a
secret file that others can read stops the load. Defaults live here;
``config.example.toml`` shows every key."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from mailbot.config.meetings import _check_members, _meetings, _partners
from mailbot.config.privacy import _privacy
from mailbot.config.reader import _Reader
from mailbot.config.servers import _bot, _imap, _m365, _server
from mailbot.errors import ConfigError
from mailbot.settings import (
    AUTH,
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_PUBLIC_REPLY,
    HOLIDAY_REGIONS,
    LEVELS,
    SECURITY,
    WEEKDAYS,
    BotSettings,
    ImapSettings,
    M365Settings,
    MeetingSettings,
    PrivacySettings,
    ServerSettings,
    Settings,
)

__all__ = [
    "AUTH", "DEFAULT_CONFIDENTIALITY", "DEFAULT_PUBLIC_REPLY", "HOLIDAY_REGIONS", "LEVELS", "SECURITY",
    "TRUST_OFF_WARNING", "WEEKDAYS", "BotSettings", "ImapSettings", "M365Settings", "MeetingSettings",
    "PrivacySettings", "ServerSettings", "Settings", "load", "parse", "trust_warnings",
]


def load(path: Path | str) -> Settings:
    """Read and check a config file; raise ConfigError naming every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse(data, source=path)


def parse(data: dict[str, Any], source: Path | None = None) -> Settings:
    r = _Reader()
    r.unknown(data, {"bot", "imap", "smtp", "database", "meeting", "partner", "m365", "privacy"}, "")
    bot = _bot(r, data)
    imap = _imap(r, data)
    smtp_table = r.table(data, "smtp", "smtp", required=False)
    smtp = _server(r, smtp_table, "smtp", 587, "starttls", set()) if smtp_table else None
    m365 = _m365(r, data)
    for name, server in (("imap", imap.server if imap else None), ("smtp", smtp)):
        if server is not None and server.auth == "oauth2-m365" and m365 is None:
            r.problem(f"{name}.auth", "oauth2-m365 needs an [m365] table (tenant_id, client_id, a secret)")
    privacy = _privacy(r, data)
    database = r.table(data, "database", "database", required=False) or {}
    r.unknown(database, {"url", "takeover_seconds"}, "database")
    url = r.get(database, "url", "database", str, "sqlite:///mailbot.db") or ""
    takeover = r.get(database, "takeover_seconds", "database", float, 30.0) or 30.0
    if takeover < 3:
        r.problem("database.takeover_seconds", "must be at least 3 (seconds)")
    meetings = _templates_beside(r, _meetings(r, data), source)
    partners = _partners(r, data)
    _check_members(r, meetings, partners)
    if r.problems:
        raise ConfigError(r.problems)
    assert bot is not None
    return Settings(bot, meetings, partners, imap, smtp, url, source, m365, privacy or PrivacySettings(),
                    takeover_seconds=takeover)


def _templates_beside(r: _Reader, meetings: tuple[MeetingSettings, ...], source: Path | None
                      ) -> tuple[MeetingSettings, ...]:
    """A meeting's templates folder, read beside the config file (where a coordinator keeps
    both), and there now: a missing folder found at 10:00 would mean no case call."""
    found = []
    for m in meetings:
        if m.templates:
            folder = Path(m.templates).expanduser()
            if not folder.is_absolute() and source is not None:
                folder = source.parent / folder
            if not folder.is_dir():
                r.problem(f'meeting "{m.id}".templates', f"no folder {str(folder)!r}")
            m = dataclasses.replace(m, templates=str(folder))
        found.append(m)
    return tuple(found)


TRUST_OFF_WARNING = (
    "[privacy] require_dmarc_pass = false: emails are applied without checking that they come "
    "from their From domain, so anyone can send 'Done:', 'Withdraw' or 'Cannot complete' in a "
    "partner's name; turn it on, with trusted_authserv_ids naming your receiving mail server")


def trust_warnings(settings: Settings) -> list[str]:
    """What a person starting or checking the bot must hear about sender trust."""
    if not settings.privacy.require_dmarc_pass:
        return [TRUST_OFF_WARNING]
    return []
