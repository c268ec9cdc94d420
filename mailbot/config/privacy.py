"""[privacy]: content levels, marking, retention, sender trust."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from mailbot.config.reader import _Reader
from mailbot.core.privacy import DEFAULT_SECURE_ROUTE
from mailbot.settings import (
    DEFAULT_CONFIDENTIALITY,
    LEVELS,
    PrivacySettings,
)

_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    tags = _subject_tags(r, table)
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


def _subject_tags(r: _Reader, table: dict[str, Any]) -> list[tuple[str, str]]:
    tags: list[tuple[str, str]] = []
    raw_tags = table.get("subject_tags", {})
    if not isinstance(raw_tags, dict) or not all(isinstance(v, str) for v in raw_tags.values()):
        r.problem("privacy.subject_tags", 'must be a table of domain = "tag", e.g. "nhs.net" = "[secure]"')
        return tags
    for domain, tag in raw_tags.items():
        if not _DOMAIN.fullmatch(domain.lower()):
            r.problem(f"privacy.subject_tags.{domain}", f"not a domain: {domain!r}")
        if not tag.strip() or _CONTROL.search(tag) or len(tag) > 40:
            r.problem(f"privacy.subject_tags.{domain}", "must be one short line, like \"[secure]\"")
        tags.append((domain.lower(), tag.strip()))
    return tags
