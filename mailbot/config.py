"""The config file: TOML -> frozen settings, every problem reported at once by key path.

Secrets never live in the file: it names the environment variable that holds
each one (``password_env``), or a file only the service user can read
(``password_file``); either is read only when a connection is made, but a
secret file that others can read stops the load. Defaults live here;
``config.example.toml`` shows every key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email

from mailbot.core.directory import Directory, name_key
from mailbot.core.model import Partner
from mailbot.core.privacy import DEFAULT_SECURE_ROUTE
from mailbot.errors import ConfigError

T = TypeVar("T")

HOLIDAY_REGIONS = {
    "england-and-wales": ("GB", "ENG"),
    "scotland": ("GB", "SCT"),
    "northern-ireland": ("GB", "NIR"),
    "none": ("", ""),
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SECURITY = ("tls", "starttls", "none")
AUTH = ("password", "oauth2-m365")
LEVELS = ("full", "reference")
DEFAULT_CONFIDENTIALITY = (
    "OFFICIAL-SENSITIVE. This email and any attachment are confidential and may contain personal "
    "data shared under the partnership's information sharing agreement. If you are not the intended "
    "recipient, tell the sender, delete it and do not copy, use or disclose it."
)


DEFAULT_PUBLIC_REPLY = (
    "If someone is in immediate danger, call 999. To report a concern about an adult or a child, "
    "contact the social care team of the council where they live. This mailbox is read by a machine "
    "for the partner agencies only."
)


@dataclass(frozen=True, slots=True)
class BotSettings:
    address: str
    display_name: str
    timezone: str = "Europe/London"
    # What a member of the public who writes in is told (no partner-facing footers go with it).
    public_reply: str = DEFAULT_PUBLIC_REPLY

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str
    port: int
    security: str
    username: str
    password_env: str
    timeout_seconds: float = 30.0
    ca_file: str | None = None
    auth: str = "password"  # or "oauth2-m365": a token from [m365] instead of a password
    password_file: str | None = None

    @property
    def plain(self) -> bool:
        return self.security == "none"


@dataclass(frozen=True, slots=True)
class M365Settings:
    """An Entra app registration for app-only (client credentials) sign-in to Exchange Online."""

    tenant_id: str
    client_id: str
    client_secret_env: str = ""
    client_secret_file: str | None = None
    certificate_file: str | None = None
    certificate_thumbprint: str = ""
    authority_host: str = "https://login.microsoftonline.com"
    scope: str = "https://outlook.office365.com/.default"
    ca_file: str | None = None

    @property
    def authority(self) -> str:
        return f"{self.authority_host.rstrip('/')}/{self.tenant_id}"


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """How much of a case each recipient domain may be sent, and what every email says."""

    secure_domains: tuple[str, ...] = ()
    default_level: str = "reference"
    subject_tags: tuple[tuple[str, str], ...] = ()  # (domain, tag), e.g. ("nhs.net", "[secure]")
    confidentiality: str = DEFAULT_CONFIDENTIALITY
    marking: str = ""  # protective marking at the top of every email and before its subject
    retention_months: int = 13
    purge_time: time = time(2, 30)
    # On unless turned off: "Done", "Withdraw" and "Cannot complete" change what partners are
    # told, so an email must be shown to come from its From domain before it is applied.
    require_dmarc_pass: bool = True
    trusted_authserv_ids: tuple[str, ...] = ()
    # Shown to an action's owner whose domain gets references only, where the details would be.
    secure_route: str = DEFAULT_SECURE_ROUTE


@dataclass(frozen=True, slots=True)
class ImapSettings:
    server: ServerSettings
    folder: str = "INBOX"
    processed_folder: str = "mailbot/processed"
    failed_folder: str = "mailbot/failed"
    idle: bool = True
    poll_seconds: float = 60.0
    sent_folder: str = ""


@dataclass(frozen=True, slots=True)
class MeetingSettings:
    id: str
    name: str
    reference_prefix: str = "HR"
    case_call: time = time(10, 0)
    cutoff: time = time(11, 30)
    starts: time = time(12, 0)
    days: tuple[str, ...] = WEEKDAYS[:5]
    holidays: str = "england-and-wales"
    skip_dates: tuple[date, ...] = ()
    repeat_window_days: int = 28
    dial_in: str = ""
    join_url: str = ""  # the online meeting's link: in the letters and the calendar invitation
    digest_time: time = time(16, 0)
    escalate_after_working_days: int = 5


@dataclass(frozen=True, slots=True)
class Settings:
    bot: BotSettings
    meetings: tuple[MeetingSettings, ...]
    partners: tuple[Partner, ...]
    imap: ImapSettings | None = None
    smtp: ServerSettings | None = None
    database_url: str = "sqlite:///mailbot.db"
    source: Path | None = None
    m365: M365Settings | None = None
    privacy: PrivacySettings = PrivacySettings()

    def servers(self) -> tuple[ServerSettings, ...]:
        return tuple(s for s in (self.imap.server if self.imap else None, self.smtp) if s is not None)

    @property
    def directory(self) -> Directory:
        return Directory(self.partners)

    @property
    def meeting(self) -> MeetingSettings:
        """The first meeting: the one commands apply to when a reply names none."""
        return self.meetings[0]


class _Reader:
    """Pulls typed values out of parsed TOML, noting each problem with its key path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def table(self, data: dict[str, Any], key: str, path: str, *, required: bool = True
              ) -> dict[str, Any] | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(path, "missing table")
            return None
        if not isinstance(value, dict):
            self.problem(path, "must be a table")
            return None
        return value

    def get(self, data: dict[str, Any], key: str, path: str, kind: type[T], default: T | None = None
            ) -> T | None:
        value = data.get(key)
        if value is None:
            if default is None:
                self.problem(f"{path}.{key}", "missing")
            return default
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problem(f"{path}.{key}", f"must be {kind.__name__}, not {type(value).__name__}")
            return default
        return value

    def strings(self, data: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"{path}.{key}", "must be a list of strings")
            return ()
        return tuple(value)

    def unknown(self, data: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in sorted(set(data) - allowed):
            self.problem(f"{path}.{key}" if path else key, "unknown key")

    def email(self, value: str, path: str) -> str | None:
        try:
            return validate_email(value, check_deliverability=False, allow_smtputf8=False,
                                  test_environment=True).normalized
        except EmailNotValidError:
            self.problem(path, f"not an email address: {value!r}")
            return None

    def clock_time(self, data: dict[str, Any], key: str, path: str, default: time) -> time:
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, time):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
            hours, minutes = (int(p) for p in value.split(":"))
            if hours < 24 and minutes < 60:
                return time(hours, minutes)
        self.problem(f"{path}.{key}", f"not a time of day (HH:MM): {value!r}")
        return default


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
    r.unknown(database, {"url"}, "database")
    url = r.get(database, "url", "database", str, "sqlite:///mailbot.db") or ""
    meetings = _meetings(r, data)
    partners = _partners(r, data)
    if r.problems:
        raise ConfigError(r.problems)
    assert bot is not None
    return Settings(bot, meetings, partners, imap, smtp, url, source, m365, privacy or PrivacySettings())


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


_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}")


def _privacy(r: _Reader, data: dict[str, Any]) -> PrivacySettings | None:
    table = r.table(data, "privacy", "privacy", required=False)
    if table is None:
        return None
    r.unknown(table, {"secure_domains", "default_level", "subject_tags", "confidentiality", "marking",
                      "retention_months", "purge_time", "require_dmarc_pass", "trusted_authserv_ids",
                      "secure_route"},
              "privacy")
    domains = []
    for i, value in enumerate(r.strings(table, "secure_domains", "privacy")):
        domain = value.strip().lower()
        if not _DOMAIN.fullmatch(domain):
            r.problem(f"privacy.secure_domains[{i}]", f"not a domain: {value!r}")
        domains.append(domain)
    level = r.get(table, "default_level", "privacy", str, "reference") or ""
    if level not in LEVELS:
        r.problem("privacy.default_level", f"must be one of {', '.join(LEVELS)}, not {level!r}")
    tags: list[tuple[str, str]] = []
    raw_tags = table.get("subject_tags", {})
    if not isinstance(raw_tags, dict) or not all(isinstance(v, str) for v in raw_tags.values()):
        r.problem("privacy.subject_tags", 'must be a table of domain = "tag", e.g. "nhs.net" = "[secure]"')
    else:
        for domain, tag in raw_tags.items():
            if not _DOMAIN.fullmatch(domain.lower()):
                r.problem(f"privacy.subject_tags.{domain}", f"not a domain: {domain!r}")
            if not tag.strip() or _CONTROL.search(tag) or len(tag) > 40:
                r.problem(f"privacy.subject_tags.{domain}", "must be one short line, like \"[secure]\"")
            tags.append((domain.lower(), tag.strip()))
    statement = r.get(table, "confidentiality", "privacy", str, DEFAULT_CONFIDENTIALITY) or ""
    if not statement.strip():
        r.problem("privacy.confidentiality", "must not be empty: every email carries it")
    route = (r.get(table, "secure_route", "privacy", str, DEFAULT_SECURE_ROUTE) or "").strip()
    if not route:
        r.problem("privacy.secure_route", "must not be empty: owners sent references only need it")
    marking = (r.get(table, "marking", "privacy", str, "") or "").strip()
    if _CONTROL.search(marking) or len(marking) > 40:
        r.problem("privacy.marking", 'must be one short line, like "OFFICIAL-SENSITIVE"')
    months = r.get(table, "retention_months", "privacy", int, 13) or 0
    if months < 1:
        r.problem("privacy.retention_months", "must be at least 1")
    return PrivacySettings(
        secure_domains=tuple(domains), default_level=level, subject_tags=tuple(tags),
        confidentiality=statement.strip(), marking=marking, retention_months=months,
        purge_time=r.clock_time(table, "purge_time", "privacy", time(2, 30)),
        require_dmarc_pass=bool(r.get(table, "require_dmarc_pass", "privacy", bool, True)),
        trusted_authserv_ids=tuple(a.lower() for a in r.strings(table, "trusted_authserv_ids",
                                                                  "privacy")),
        secure_route=route,
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

TRUST_OFF_WARNING = (
    "[privacy] require_dmarc_pass = false: emails are applied without checking that they come "
    "from their From domain, so anyone can send 'Done:', 'Withdraw' or 'Cannot complete' in a "
    "partner's name; turn it on, with trusted_authserv_ids naming your receiving mail server")


def trust_warnings(settings: Settings) -> list[str]:
    """What a person starting or checking the bot must hear about sender trust."""
    if not settings.privacy.require_dmarc_pass:
        return [TRUST_OFF_WARNING]
    return []


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


_MEETING_KEYS = {
    "id", "name", "reference_prefix", "case_call", "cutoff", "starts", "days", "holidays",
    "skip_dates", "repeat_window_days", "dial_in", "join_url", "digest_time",
    "escalate_after_working_days",
}


def _meetings(r: _Reader, data: dict[str, Any]) -> tuple[MeetingSettings, ...]:
    tables = data.get("meeting")
    if not isinstance(tables, list) or not tables:
        r.problem("meeting", "at least one [[meeting]] is needed")
        return ()
    meetings = []
    for n, table in enumerate(tables):
        path = f"meeting[{n}]"
        if not isinstance(table, dict):
            r.problem(path, "must be a table")
            continue
        meeting = _meeting(r, table, path)
        if meeting is not None:
            meetings.append(meeting)
    ids = [m.id for m in meetings]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        r.problem("meeting", f"id {dup!r} is used twice")
    return tuple(meetings)


def _meeting(r: _Reader, table: dict[str, Any], path: str) -> MeetingSettings | None:
    r.unknown(table, _MEETING_KEYS, path)
    ident = r.get(table, "id", path, str)
    name = r.get(table, "name", path, str)
    prefix = r.get(table, "reference_prefix", path, str, "HR") or "HR"
    if not re.fullmatch(r"[A-Z]{1,6}", prefix):
        r.problem(f"{path}.reference_prefix", f"must be 1-6 capital letters, not {prefix!r}")
    days = r.strings(table, "days", path) if "days" in table else WEEKDAYS[:5]
    for day in days:
        if day not in WEEKDAYS:
            r.problem(f"{path}.days", f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
    region = r.get(table, "holidays", path, str, "england-and-wales") or ""
    if region not in HOLIDAY_REGIONS:
        r.problem(f"{path}.holidays", f"must be one of {', '.join(HOLIDAY_REGIONS)}, not {region!r}")
    skip = table.get("skip_dates", [])
    if not isinstance(skip, list) or not all(isinstance(d, date) for d in skip):
        r.problem(f"{path}.skip_dates", "must be a list of dates (YYYY-MM-DD, unquoted)")
        skip = []
    call = r.clock_time(table, "case_call", path, time(10, 0))
    cutoff = r.clock_time(table, "cutoff", path, time(11, 30))
    starts = r.clock_time(table, "starts", path, time(12, 0))
    if not call < cutoff <= starts:
        r.problem(path, "times must run case_call < cutoff <= starts")
    if ident is None or name is None:
        return None
    return MeetingSettings(
        id=ident, name=name, reference_prefix=prefix, case_call=call, cutoff=cutoff,
        starts=starts, days=tuple(days), holidays=region, skip_dates=tuple(skip),
        repeat_window_days=r.get(table, "repeat_window_days", path, int, 28) or 0,
        dial_in=r.get(table, "dial_in", path, str, "") or "",
        join_url=_join_url(r, table, path),
        digest_time=r.clock_time(table, "digest_time", path, time(16, 0)),
        escalate_after_working_days=r.get(table, "escalate_after_working_days", path, int, 5) or 0,
    )


def _join_url(r: _Reader, table: dict[str, Any], path: str) -> str:
    url = (r.get(table, "join_url", path, str, "") or "").strip()
    if url and not re.fullmatch(r"https://[^\s<>\"]{1,500}", url):
        r.problem(f"{path}.join_url", f"must be one https:// link, not {url[:60]!r}")
    return url


def _partners(r: _Reader, data: dict[str, Any]) -> tuple[Partner, ...]:
    tables = data.get("partner")
    if not isinstance(tables, list) or not tables:
        r.problem("partner", "at least one [[partner]] is needed")
        return ()
    partners: list[Partner] = []
    for n, table in enumerate(tables):
        path = f"partner[{n}]"
        if not isinstance(table, dict):
            r.problem(path, "must be a table")
            continue
        partner = _partner(r, table, path)
        if partner is not None:
            partners.append(partner)
    _check_unique(r, partners)
    if partners and not any(p.coordinator for p in partners):
        r.problem("partner", "no partner has coordinator = true")
    return tuple(partners)


def _partner(r: _Reader, table: dict[str, Any], path: str) -> Partner | None:
    r.unknown(table, {"code", "name", "short_name", "aliases", "emails", "domains", "coordinator"}, path)
    code = r.get(table, "code", path, str)
    name = r.get(table, "name", path, str)
    if code is not None and not re.fullmatch(r"[a-z][a-z0-9-]{0,31}", code):
        r.problem(f"{path}.code", f"must be lower-case letters, digits and dashes: {code!r}")
    emails = []
    for i, value in enumerate(r.strings(table, "emails", path)):
        normalised = r.email(value, f"{path}.emails[{i}]")
        if normalised:
            emails.append(normalised)
    domains = []
    for i, value in enumerate(r.strings(table, "domains", path)):
        domain = value.strip().lower()
        if not re.fullmatch(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}", domain):
            r.problem(f"{path}.domains[{i}]", f"not a domain: {value!r}")
        else:
            domains.append(domain)
    if not table.get("emails"):
        r.problem(f"{path}.emails", "at least one address is needed to send to")
    coordinator = r.get(table, "coordinator", path, bool, False)
    short = (r.get(table, "short_name", path, str, "") or "").strip()
    if len(short) > 24:
        r.problem(f"{path}.short_name", f"must be short (at most 24 characters): {short!r}")
    if code is None or name is None:
        return None
    return Partner(code, name, r.strings(table, "aliases", path), tuple(emails), tuple(domains),
                   bool(coordinator), short)


def _check_unique(r: _Reader, partners: list[Partner]) -> None:
    seen_names: dict[str, str] = {}
    seen_addresses: dict[str, str] = {}
    for partner in partners:
        for name in {partner.code, partner.name, *partner.aliases, *filter(None, [partner.short])}:
            key = name_key(name)
            other = seen_names.setdefault(key, partner.code)
            if other != partner.code:
                r.problem("partner", f"name {name!r} is used by both {other!r} and {partner.code!r}")
        for address in (*partner.emails, *partner.domains):
            key = address.casefold()
            other = seen_addresses.setdefault(key, partner.code)
            if other != partner.code:
                r.problem("partner", f"{address!r} is listed by both {other!r} and {partner.code!r}")
