"""Clocks: the system's, and one that can be set and run fast (demo, tests, fault drills)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock:
    """Starts at a given moment and runs at ``speed`` times real time (0 = frozen)."""

    def __init__(self, start: datetime, speed: float = 0.0) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware start time")
        self._lock = threading.Lock()
        self._base = start
        self._real = time.monotonic()
        self.speed = speed

    def now(self) -> datetime:
        with self._lock:
            elapsed = (time.monotonic() - self._real) * self.speed
            return self._base + timedelta(seconds=elapsed)

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._base, self._real = moment, time.monotonic()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)
