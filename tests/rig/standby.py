"""The standby drill: two ``mailbot run`` processes on one PostgreSQL, the active one killed
with SIGKILL or cut off from the database at random moments during the case-call fan-out and
a backlog of replies.

It reuses the kill drill (tests/rig/drill.py): the same day of work, the same partners, the
same verdict read from the outside (the SMTP server's log, the mailboxes, the database). What
it adds: a second process always standing by (a killed process is replaced at once, and the
next blow waits until the replacement stands by), cuts of the active process's lock
connection (``pg_terminate_backend`` from the server's side, as a network failure looks to
the server), and the handover time: from the blow to the log line of the process that took
office, and to the line that says it is reading and sending again.
"""

from __future__ import annotations

import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg

from mailbot import config
from mailbot.adapters.leader import libpq_url
from tests.conftest import ROOT
from tests.rig.dovecot import DovecotServer
from tests.rig.drill import AIM_HOLD, LONDON, Drill, Kill
from tests.rig.smtp import SMTPServer
from tests.rig.world import dump

OFFICE = re.compile(r"took office: (\S+) is the active process \(epoch (\d+)\)")


@dataclass
class Handover:
    what: str  # kill, cut
    office: float  # seconds from the blow until another term began
    resumed: float  # ... until that process said it was reading and sending


@dataclass
class Life:
    proc: subprocess.Popen[bytes]
    holder: str = ""
    standing_by: threading.Event = field(default_factory=threading.Event)


class StandbyDrill(Drill):
    """Two processes always running; the blows land on whichever is active."""

    def __init__(self, dc: DovecotServer, smtp: SMTPServer, folder: Path, *, seed: int) -> None:
        super().__init__(dc, smtp, folder, extra_partners=30, seed=seed)
        data = tomllib.loads(self.config.read_text(encoding="utf-8"))
        # 3 s: a standby asks for the lock every 0.1 s; an email in flight at a blow is judged
        # after the SMTP timeout (2 s), so each blow during fan-out costs that much.
        data["database"]["takeover_seconds"] = 3
        data["smtp"]["timeout_seconds"] = 2
        self.config.write_text(dump(data), encoding="utf-8")
        self.settings = config.load(self.config)
        self.lives: dict[int, Life] = {}
        self.events: list[tuple[float, str, int]] = []  # (monotonic, "office" | "running", pid)
        self.handovers: list[Handover] = []
        self.cuts = 0
        self.lock = threading.Lock()

    # -- the processes ------------------------------------------------------------
    def _start(self, moment: datetime) -> Life:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mailbot", "--config", str(self.config), "run",
             "--clock", f"{moment.isoformat()}@1"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        life = self.lives[proc.pid] = Life(proc)
        threading.Thread(target=self._read, args=(life,), daemon=True).start()
        self.report.lives += 1
        return life

    def _read(self, life: Life) -> None:
        assert life.proc.stdout is not None
        for line in life.proc.stdout:
            text = line.decode(errors="replace").rstrip()
            self.logs.append(f"[{life.proc.pid}] {text}")
            now, pid = time.monotonic(), life.proc.pid
            if found := OFFICE.search(text):
                life.holder = found[1]
                with self.lock:
                    self.events.append((now, "office", pid))
            elif "mailbot running" in text:
                with self.lock:
                    self.events.append((now, "running", pid))
            elif "standing by: " in text:
                life.holder = text.split("standing by: ", 1)[1].split(" ", 1)[0]
                life.standing_by.set()
            if "found in the sent folder" in text:
                self.report.found_in_sent += 1
        life.proc.stdout.close()

    def _active(self) -> Life | None:
        with self.lock:
            offices = [pid for _, kind, pid in self.events if kind == "office"]
        if not offices or offices[-1] not in self.lives:
            return None
        return self.lives[offices[-1]]

    def _after(self, since: float, kind: str, timeout: float = 60) -> tuple[float, int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                later = [(t, pid) for t, k, pid in self.events if k == kind and t > since]
            if later:
                return later[0]
            time.sleep(0.005)
        raise AssertionError(f"no process {kind} after a blow:\n" + "\n".join(self.logs[-40:]))

    def _cut(self, life: Life) -> None:
        """End the active process's lock session from the server, as a lost network does."""
        with psycopg.connect(libpq_url(self.settings.database_url), autocommit=True) as admin:
            found = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE application_name = %s", (f"mailbot {life.holder}",)).fetchall()
        assert found == [(True,)], f"no lock session for {life.holder}"

    # -- the day ------------------------------------------------------------------
    def run_standby_day(self, number: int, day: date, replies: int, *, kills: int, cuts: int,
                        window: float) -> None:
        """Up to ``kills`` kills and ``cuts`` cuts of the active process during the day's work
        (cuts spread among the kills), then the day finishes and both processes stop."""
        self.days.append(day)
        self.backlog(day, replies)
        start, started = datetime.combine(day, datetime.min.time(), LONDON).replace(hour=10), time.monotonic()

        def now() -> datetime:
            return start + timedelta(seconds=time.monotonic() - started)

        # The first two blows of a day are kills aimed at a part-sent case call; the rest,
        # cuts among them, land at random. Until the aimed ones have landed the server holds
        # each email a moment, from before the first process starts (see Drill.run_day).
        aimed = min(2, kills)
        self.smtp.handler.slow = AIM_HOLD if aimed else 0.0
        self._start(now())
        self._after(started, "office")
        self._start(now()).standing_by.wait(60)
        rest = ["cut"] * cuts + ["kill"] * max(0, kills - 2)
        self.rng.shuffle(rest)
        blows = ["kill"] * aimed + rest
        for n, blow in enumerate(blows):
            if self._day_done(day):
                break
            self._blow(number, day, blow, window, aimed=n < aimed, now=now)
            if n == aimed - 1:
                self.smtp.handler.slow = 0.0
        self.smtp.handler.slow = 0.0
        self._finish(day)

    def _blow(self, number: int, day: date, blow: str, window: float, *, aimed: bool,
              now: Callable[[], datetime]) -> None:
        active = self._active()
        assert active is not None and active.proc.poll() is None, "\n".join(self.logs[-40:])
        delay = self._aim(day, 3.0) if aimed else self._wait(window)
        state, at = self._in_progress(day), time.monotonic()
        if blow == "kill":
            active.proc.send_signal(signal.SIGKILL)
            active.proc.wait(10)
            del self.lives[active.proc.pid]
            self.report.kills.append(Kill(number, delay, state))
        else:
            self._cut(active)
            self.cuts += 1
        office, _ = self._after(at, "office")
        resumed, _ = self._after(at, "running")
        self.handovers.append(Handover(blow, office - at, resumed - at))
        if blow == "kill":  # a new process replaces it: two are always running
            self._start(now()).standing_by.wait(60)

    def kill_mid_send(self, day: date, hold: float) -> None:
        """Kill the active process while the SMTP server holds one of its emails for ``hold``
        seconds: the email lands in the Sent folder after the standby has taken office."""
        self.days.append(day)
        self.backlog(day, 3)
        start, started = datetime.combine(day, datetime.min.time(), LONDON).replace(hour=10), time.monotonic()
        self.smtp.handler.slow = hold
        self._start(start)
        self._after(started, "office")
        self._start(start + timedelta(seconds=time.monotonic() - started)).standing_by.wait(60)
        self.smtp.handler.holding.clear()
        assert self.smtp.handler.holding.wait(30), "\n".join(self.logs[-40:])
        active = self._active()
        assert active is not None
        at = time.monotonic()
        active.proc.send_signal(signal.SIGKILL)
        active.proc.wait(10)
        del self.lives[active.proc.pid]
        self.smtp.handler.slow = 0.0
        self.report.kills.append(Kill(0, at - started, "sending"))
        office, _ = self._after(at, "office")
        resumed, _ = self._after(at, "running")
        self.handovers.append(Handover("kill", office - at, resumed - at))
        self._finish(day)

    def _finish(self, day: date) -> None:
        deadline = time.monotonic() + 180
        while not self._day_done(day):
            assert time.monotonic() < deadline, "the day's work did not finish:\n" + "\n".join(self.logs[-40:])
            time.sleep(0.2)
        for life in self.lives.values():
            life.proc.send_signal(signal.SIGTERM)
        for life in list(self.lives.values()):
            assert life.proc.wait(30) == 0, "\n".join(self.logs[-40:])
        self.lives.clear()

    def summary(self) -> str:
        office = [h.office for h in self.handovers]
        resumed = [h.resumed for h in self.handovers]
        if not office:
            return "no handovers"
        return (f"handover to the new active process: median {statistics.median(office):.2f} s, "
                f"worst {max(office):.2f} s; reading and sending again: median "
                f"{statistics.median(resumed):.2f} s, worst {max(resumed):.2f} s")
