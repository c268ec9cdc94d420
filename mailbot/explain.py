"""How the bot read one email, as JSON (one object per email) or as text for a person."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, time
from enum import Enum
from typing import Any

from mailbot.core.directory import Directory
from mailbot.core.model import Reading

# The order in which each command kind's fields are shown.
_FIELDS = {
    "add_case": ("subject", "concern", "partners"),
    "require_partners": ("case", "partners"),
    "add_action": ("case", "owner", "due", "text"),
    "action_update": ("action", "status", "note"),
    "decide_case": ("case", "decision", "rationale", "withdraw"),
    "review_case": ("case", "review_on"),
    "status_request": (),
    "apologies": ("case", "reason"),
    "withdraw_case": ("case", "reason"),
    "set_lead": ("case", "lead"),
    "attended": ("partners",),
    "return_case": ("case", "missing"),
    "call_meeting": ("case", "meeting_kind", "day", "starts", "partners"),
    "cancel_meeting": ("case", "day", "starts", "reason"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def as_dict(reading: Reading, meeting: Mapping[str, Any] | None = None) -> dict[str, Any]:
    commands = []
    for command in reading.commands:
        data = asdict(command)
        commands.append({"kind": command.kind, **{k: _plain(data[k]) for k in _FIELDS[command.kind]},
                         "line": command.line})
    return {
        "verdict": reading.verdict.value,
        "reason": reading.reason.value if reading.reason else None,
        "sender": {
            "address": reading.sender.address,
            "partner": reading.sender.partner,
            "coordinator": reading.sender.coordinator,
        },
        "message_id": reading.message_id,
        "subject": reading.subject,
        "new_text": reading.new_text,
        "commands": commands,
        "problems": list(reading.problems),
        "disposition": reading.disposition.value,
        "read_as": [{"line": r.line, "text": r.text, "as": r.canonical} for r in reading.read_as],
        "for_coordinators": list(reading.for_coordinators),
        **({"meeting": dict(meeting)} if meeting is not None else {}),
    }


def as_json(reading: Reading, meeting: Mapping[str, Any] | None = None) -> str:
    return json.dumps(as_dict(reading, meeting), ensure_ascii=False)


def as_text(reading: Reading, directory: Directory, source: str,
            meeting: Mapping[str, Any] | None = None) -> str:
    d = as_dict(reading)
    partner = reading.sender.partner
    who = directory.get(partner).name if partner else "not in the directory"
    role = " (coordinator)" if reading.sender.coordinator else ""
    out = [
        f"== {source}",
        f"Verdict:  {d['verdict']}" + (f" ({d['reason']})" if d["reason"] else ""),
        f"Disposition: {d['disposition']}",
        f"From:     {reading.sender.address} - {who}{role}",
        f"Subject:  {reading.subject}",
        *([f"Meeting:  {meeting['name'] or 'not known: the sender is asked which'} ({meeting['by']})"]
          if meeting is not None else []),
    ]
    if reading.verdict.value == "accepted":
        out.append("Read as newly written:")
        out.extend(f"  | {line}" for line in (reading.new_text or "(nothing)").splitlines())
        out.append("Commands:" if reading.commands else "Commands: none")
        for c in d["commands"]:
            detail = ", ".join(f"{k}={_show(v, directory)}" for k, v in c.items()
                               if k not in ("kind", "line"))
            where = f"line {c['line']}: " if c["line"] else "subject: "
            out.append(f"  - {where}{c['kind']} {detail}".rstrip())
        out.append("Problems:" if reading.problems else "Problems: none")
        out.extend(f"  - {p}" for p in reading.problems)
        out.extend(f"  - line {r.line}: read {r.text!r} as {r.canonical!r}" for r in reading.read_as)
        if reading.for_coordinators:
            out.append("For the coordinators:")
            out.extend(f"  | {line}" for line in reading.for_coordinators)
    return "\n".join(out)


def _show(value: Any, directory: Directory) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v, directory) for v in value) + "]"
    return repr(value) if isinstance(value, str) and " " in value else str(value)
