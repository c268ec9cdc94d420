"""Typed values out of parsed TOML, every problem noted with its key path."""

from __future__ import annotations

import difflib
import re
from datetime import time
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email

T = TypeVar("T")


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
            # A typo would otherwise silently leave the default in force: name the likely key.
            close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            self.problem(f"{path}.{key}" if path else key, f"unknown key{hint}")

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
