"""[bot], [imap], [smtp] and [m365]: the mailbox, the servers and how the bot signs in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailbot.config.reader import _Reader
from mailbot.settings import (
    AUTH,
    DEFAULT_PUBLIC_REPLY,
    SECURITY,
    BotSettings,
    ImapSettings,
    M365Settings,
    ServerSettings,
)


def _bot(r: _Reader, data: dict[str, Any]) -> BotSettings | None:
    table = r.table(data, "bot", "bot")
    if table is None:
        return None
    r.unknown(table, {"address", "display_name", "timezone", "public_reply"}, "bot")
    address = r.get(table, "address", "bot", str)
    name = r.get(table, "display_name", "bot", str)
    public = (r.get(table, "public_reply", "bot", str, DEFAULT_PUBLIC_REPLY) or "").strip()
    if not public:
        r.problem("bot.public_reply", "must not be empty: a member of the public who writes in is told it")
    zone = r.get(table, "timezone", "bot", str, "Europe/London") or "Europe/London"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        r.problem("bot.timezone", f"unknown time zone: {zone!r}")
    normalised = r.email(address, "bot.address") if address else None
    if normalised is None or name is None:
        return None
    if "\n" in name or "\r" in name:
        r.problem("bot.display_name", "must be one line")
    return BotSettings(normalised, name, zone, public)


def _server(r: _Reader, table: dict[str, Any], path: str, port: int, security: str,
            extra: set[str]) -> ServerSettings | None:
    keys = {"host", "port", "security", "username", "password_env", "password_file", "timeout_seconds",
            "ca_file", "auth"}
    r.unknown(table, keys | extra, path)
    host = r.get(table, "host", path, str)
    sec = r.get(table, "security", path, str, security) or security
    if sec not in SECURITY:
        r.problem(f"{path}.security", f"must be one of {', '.join(SECURITY)}, not {sec!r}")
    username = r.get(table, "username", path, str)
    auth = r.get(table, "auth", path, str, "password") or "password"
    if auth not in AUTH:
        r.problem(f"{path}.auth", f"must be one of {', '.join(AUTH)}, not {auth!r}")
    if "password" in table:
        r.problem(f"{path}.password", "passwords never go in the file: name a variable in password_env "
                                      "or a file in password_file")
    secret = r.get(table, "password_env", path, str, "") or ""
    secret_file = r.get(table, "password_file", path, str, "") or None
    if secret and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", secret):
        r.problem(f"{path}.password_env", "must name an environment variable, not hold a password")
    if auth == "password" and not secret and not secret_file:
        r.problem(f"{path}.password_env", "missing (or give password_file, or auth = \"oauth2-m365\")")
    if secret_file:
        _check_secret_file(r, f"{path}.password_file", secret_file)
    if host is None or username is None or sec not in SECURITY or auth not in AUTH:
        return None
    return ServerSettings(
        host=host,
        port=r.get(table, "port", path, int, port) or port,
        security=sec,
        username=username,
        password_env=secret,
        timeout_seconds=r.get(table, "timeout_seconds", path, float, 30.0) or 30.0,
        ca_file=r.get(table, "ca_file", path, str, "") or None,
        auth=auth,
        password_file=secret_file,
    )


def _check_secret_file(r: _Reader, path: str, name: str) -> None:
    """A secret in a file others can read is a secret shared with them: refuse to start."""
    try:
        mode = Path(name).stat().st_mode
    except OSError as exc:
        r.problem(path, f"cannot read {name}: {exc.strerror}")
        return
    if mode & 0o077:
        r.problem(path, f"{name} can be read by users other than the service user "
                        f"(mode {mode & 0o777:o}); run: chmod 600 {name}")


def _m365(r: _Reader, data: dict[str, Any]) -> M365Settings | None:
    table = r.table(data, "m365", "m365", required=False)
    if table is None:
        return None
    r.unknown(table, {"tenant_id", "client_id", "client_secret_env", "client_secret_file",
                      "certificate_file", "certificate_thumbprint", "authority_host", "scope",
                      "ca_file"}, "m365")
    if "client_secret" in table:
        r.problem("m365.client_secret", "secrets never go in the file: name a variable in "
                                        "client_secret_env or a file in client_secret_file")
    tenant = r.get(table, "tenant_id", "m365", str)
    client = r.get(table, "client_id", "m365", str)
    secret_env = r.get(table, "client_secret_env", "m365", str, "") or ""
    secret_file = r.get(table, "client_secret_file", "m365", str, "") or None
    cert = r.get(table, "certificate_file", "m365", str, "") or None
    thumbprint = r.get(table, "certificate_thumbprint", "m365", str, "") or ""
    if not (secret_env or secret_file or cert):
        r.problem("m365", "give client_secret_env, client_secret_file or certificate_file")
    if cert and not thumbprint:
        r.problem("m365.certificate_thumbprint", "needed with certificate_file")
    for key, name in (("client_secret_file", secret_file), ("certificate_file", cert)):
        if name:
            _check_secret_file(r, f"m365.{key}", name)
    host = r.get(table, "authority_host", "m365", str, "https://login.microsoftonline.com") or ""
    if not host.startswith("https://"):
        r.problem("m365.authority_host", "must be an https:// address")
    if tenant is None or client is None:
        return None
    return M365Settings(
        tenant_id=tenant, client_id=client, client_secret_env=secret_env,
        client_secret_file=secret_file, certificate_file=cert, certificate_thumbprint=thumbprint,
        authority_host=host,
        scope=r.get(table, "scope", "m365", str, "https://outlook.office365.com/.default") or "",
        ca_file=r.get(table, "ca_file", "m365", str, "") or None,
    )


def _imap(r: _Reader, data: dict[str, Any]) -> ImapSettings | None:
    table = r.table(data, "imap", "imap", required=False)
    if table is None:
        return None
    extra = {"folder", "processed_folder", "failed_folder", "idle", "poll_seconds", "sent_folder"}
    server = _server(r, table, "imap", 993, "tls", extra)
    if server is None:
        return None
    return ImapSettings(
        server=server,
        folder=r.get(table, "folder", "imap", str, "INBOX") or "INBOX",
        processed_folder=r.get(table, "processed_folder", "imap", str, "mailbot/processed") or "",
        failed_folder=r.get(table, "failed_folder", "imap", str, "mailbot/failed") or "",
        idle=bool(r.get(table, "idle", "imap", bool, True)),
        poll_seconds=r.get(table, "poll_seconds", "imap", float, 60.0) or 60.0,
        sent_folder=r.get(table, "sent_folder", "imap", str, "") or "",
    )
