"""[[meeting]] and [[partner]] tables."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from mailbot.config.panel import PANEL_KEYS, panel_keys
from mailbot.config.reader import _Reader
from mailbot.config.risk import RISK_KEYS, risk_keys
from mailbot.core.directory import name_key
from mailbot.core.model import Partner
from mailbot.settings import (
    HOLIDAY_REGIONS,
    WEEKDAYS,
    MeetingSettings,
)

_MEETING_KEYS = {
    "id", "name", "reference_prefix", "case_call", "cutoff", "starts", "days", "holidays",
    "skip_dates", "repeat_window_days", "dial_in", "join_url", "digest_time",
    "escalate_after_working_days", "members", "coordinators",
    "summary_quiet_minutes", "templates",
    *RISK_KEYS,
    *PANEL_KEYS,
}


def _meetings(r: _Reader, data: dict[str, Any]) -> tuple[MeetingSettings, ...]:
    tables = data.get("meeting")
    if not isinstance(tables, list) or not tables:
        r.problem("meeting", "at least one [[meeting]] is needed")
        return ()
    meetings = []
    for n, table in enumerate(tables):
        path = _named("meeting", n, table, "id")
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


def _named(kind: str, n: int, table: object, key: str) -> str:
    """A table's key path: by its code or id when that can be read (`partner "police"`),
    which is how a person finds it in the file; else by its position (`partner[6]`)."""
    name = table.get(key) if isinstance(table, dict) else None
    if isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}", name):
        return f'{kind} "{name}"'
    return f"{kind}[{n}]"


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
    if not call <= cutoff <= starts:  # equal only where the case call is the final agenda: config.risk
        r.problem(path, "times must run case_call < cutoff <= starts")
    if ident is None or name is None:
        return None
    return MeetingSettings(
        id=ident, name=name, reference_prefix=prefix, case_call=call, cutoff=cutoff,
        starts=starts, days=tuple(days), holidays=region, skip_dates=tuple(skip),
        repeat_window_days=r.get(table, "repeat_window_days", path, int, 28) or 0,
        dial_in=r.get(table, "dial_in", path, str, "") or "",
        join_url=_join_url(r, table, path),
        templates=(r.get(table, "templates", path, str, "") or "").strip(),
        digest_time=r.clock_time(table, "digest_time", path, time(16, 0)),
        escalate_after_working_days=r.get(table, "escalate_after_working_days", path, int, 5) or 0,
        members=r.strings(table, "members", path),
        coordinators=r.strings(table, "coordinators", path),
        **risk_keys(r, table, path, agenda_at_cutoff=call == cutoff),
        **panel_keys(r, table, path),
        summary_quiet_minutes=_quiet_minutes(r, table, path),
    )


def _check_members(r: _Reader, meetings: tuple[MeetingSettings, ...],
                   partners: tuple[Partner, ...]) -> None:
    """Members and coordinators name partners by code; a meeting without a coordinator would
    leave its problems with nobody."""
    codes = {p.code for p in partners}
    for n, meeting in enumerate(meetings):
        for key in ("members", "coordinators"):
            for code in getattr(meeting, key):
                if code not in codes:
                    r.problem(f"meeting[{n}].{key}", f"no partner has code {code!r}")
        if not meeting.coordinators and not any(p.coordinator for p in partners):
            r.problem(f"meeting[{n}].coordinators", "the meeting has no coordinator")


def _quiet_minutes(r: _Reader, table: dict[str, Any], path: str) -> int:
    minutes = r.get(table, "summary_quiet_minutes", path, int, 10)
    if minutes is None or minutes < 0:
        r.problem(f"{path}.summary_quiet_minutes", "must be 0 or more minutes")
        return 10
    return minutes


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
        path = _named("partner", n, table, "code")
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
