"""Printing records for people: aligned tables, details in words, counts in good English.
``--json`` prints the same records for programs, one JSON object a line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 action``, ``2 actions``; ``many`` for words that do not just take an s."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], indent: str = "") -> list[str]:
    """Columns as wide as their widest cell; the last one runs on."""
    rows = [list(row) for row in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = []
    for row in (list(headers), *rows):
        cells = [str(cell).ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        lines.append((indent + "  ".join([*cells, str(row[-1])])).rstrip())
    return lines


def details(fields: Mapping[str, Any]) -> str:
    """An audit entry's details as words: ``owner asbit@..., due 2026-12-04``; empty ones left out."""
    parts = []
    for key, value in fields.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, dict):
            shown = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list | tuple):
            shown = ", ".join(map(str, value))
        else:
            shown = str(value)
        parts.append(f"{key.replace('_', ' ')} {shown}")
    return "; ".join(parts)


def source(entry: Mapping[str, Any], zone: tzinfo) -> str:
    """Which email a change came from, when it came from one."""
    if not entry.get("message_key"):
        return ""
    received = entry.get("received_at")
    when = f", received {received.astimezone(zone):%Y-%m-%d %H:%M}" if received else ""
    sender = f" sent by {entry['sender']}" if entry.get("sender") else ""
    return f"from email {entry['message_key']}{sender}{when}"


def history_rows(entries: Iterable[Mapping[str, Any]], zone: tzinfo, *, case: bool
                 ) -> list[list[str]]:
    """Audit entries as rows: time, who, [case,] what, details (and the source email)."""
    rows = []
    for e in entries:
        who = e["actor"] + (f" ({e['partner']})" if e.get("partner") else "")
        said = "; ".join(filter(None, [details(e.get("fields") or {}), source(e, zone)]))
        row = [f"{e['at'].astimezone(zone):%Y-%m-%d %H:%M}", who, e["action"], said]
        if case:
            row.insert(2, e.get("reference") or "-")
        rows.append(row)
    return rows


def json_lines(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Each record as one JSON object, dates and times in ISO 8601."""
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime | date) else str(value)

    keep = ("at", "actor", "partner", "action", "reference", "fields", "message_key", "sender",
            "received_at")
    return [json.dumps({k: e.get(k) for k in keep if k in e}, default=plain, ensure_ascii=False)
            for e in entries]
