"""The service loop: one loop does everything in order, each blocking step in a worker
thread: run what is due, read what is waiting in the mailbox, send what is queued. The
scheduler and the IDLE watcher only wake it up; so does a poll timer, which means a lost
wake-up costs at most ``poll_seconds``. It sees the world only through core's ports.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from mailbot.core.ports import AfterSend, Arrival, Mailbox, OutboxRow, Postman
from mailbot.errors import FetchError, MailbotError, SendError, StoreError
from mailbot.services import Outcome, Services

log = logging.getLogger("mailbot")

BATCH = 50  # emails a transaction when reading a backlog


class Watcher(Protocol):
    """Something that hears of new mail (IMAP IDLE) on a thread of its own."""

    wake: Callable[[], None]

    def start(self) -> None: ...
    def stop(self) -> None: ...


class Jobs(Protocol):
    """The scheduler's timed wake-ups."""

    def start(self) -> None: ...
    def shutdown(self, wait: bool = True) -> None: ...


def limit_malloc_arenas(arenas: int = 1) -> None:
    """Cap glibc's per-thread malloc arenas before worker threads start.

    Each blocking call runs in a worker thread, and glibc gives each thread its
    own arena; a backlog of large emails then leaves every arena holding its
    peak. Measured by bench/run_all.py (memory): 224 MB with the default, 140 MB with one. Not glibc:
    nothing to do.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


@dataclass
class Runtime:
    services: Services
    mailbox: Mailbox | None
    postman: Postman | None
    poll_seconds: float = 60.0
    idle: Watcher | None = None
    # Builds and starts nothing until run(): the composition root hands in the real scheduler.
    schedule: Callable[[Callable[[], Awaitable[None]]], Jobs] | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    stats: dict[str, int] = field(default_factory=dict)
    retry_in: float = 0.0  # after a failed fetch: sooner than the next poll, backing off
    # What the start line names (config, database, mailbox), so a log says which bot it is.
    describe: str = ""
    # Whether the last fetch worked: only then is a failure a lost connection worth one
    # immediate retry; a server that was never reached is simply tried again later.
    connected: bool = False
    unsettled: bool = False  # a drain was cut short: see drain()

    def _retry_after(self) -> float:
        self.retry_in = min(max(1.0, self.retry_in * 2), self.poll_seconds)
        return self.retry_in

    def __post_init__(self) -> None:
        limit_malloc_arenas()

    def count(self, what: str, n: int = 1) -> None:
        self.stats[what] = self.stats.get(what, 0) + n

    async def step(self) -> None:
        """One round: what is due, then the mailbox, then the outbox."""
        try:
            for line in await asyncio.to_thread(self.services.due):
                log.info("%s", line)
            for line in await asyncio.to_thread(self.services.housekeeping):
                log.info("%s", line)
            # What is queued (a case call, emails a restart left behind) goes out before
            # a backlog of replies is read.
            await self.drain()
            await self.pump()
            await self.drain()
        except StoreError as exc:
            # The database is unusable: mail stays on the server until it is back.
            log.error("database unavailable, nothing read or sent this round: %s", exc)
            self.count("store-errors")
        except MailbotError as exc:
            # A server or a secret that went away while running: one line, and the next
            # round tries again (a secret put back is read then).
            log.error("%s; trying again next round", exc)
            self.count("errors")
        except Exception:  # a bug: this round stops, the loop (and the next round) goes on
            log.exception("unexpected error; trying again next round")
            self.count("errors")

    async def pump(self) -> None:
        """Read everything waiting, a bounded round at a time."""
        while await self._pump_round():
            pass

    async def _pump_round(self) -> bool:
        if self.mailbox is None:
            return False
        try:
            waiting = await self._fetch()
        except FetchError as exc:
            self.connected = False
            log.warning("%s; trying again in %.0f s", exc, self._retry_after())
            self.count("fetch-errors")
            return False
        self.retry_in = 0.0
        self.connected = True
        if not waiting:
            return False
        finished: list[tuple[Arrival, bool]] = []
        # A reply or two: each in its own transaction, answered at once. A backlog: a batch
        # a transaction, moved out of the folder only once that transaction has committed (a
        # crash in between leaves them to be read again, and their keys make that a no-op).
        answer_at_once = len(waiting) <= 5
        size = 1 if answer_at_once else BATCH
        for start in range(0, len(waiting), size):
            batch = waiting[start:start + size]
            outcomes = await asyncio.to_thread(self.services.ingest_many, batch)
            for item, outcome in zip(batch, outcomes, strict=True):
                self.count(f"inbound-{outcome.value}")
                finished.append((item, outcome is Outcome.FAILED))
            if not answer_at_once or any(o in (Outcome.APPLIED, Outcome.REJECTED) for o in outcomes):
                await self._move(finished)
                await self.drain()
        await self._move(finished)
        return True

    async def _fetch(self) -> list[Arrival]:
        assert self.mailbox is not None
        try:
            return await asyncio.to_thread(self.mailbox.fetch_new)
        except FetchError as exc:
            if not self.connected:
                raise
            # After a server restart the first error is usually the dead old connection:
            # a new one at once catches up without waiting for the next poll. Only what
            # the new one meets is logged, so each round logs a failure once.
            self.count("fetch-errors")
            self.connected = False
            found = await asyncio.to_thread(self.mailbox.fetch_new)
            log.info("IMAP connection was lost (%s); a new one works", exc)
            return found

    async def _move(self, finished: list[tuple[Arrival, bool]]) -> None:
        """Out of the inbox, only after each outcome was committed."""
        if not finished or self.mailbox is None:
            return
        try:
            await asyncio.to_thread(self.mailbox.finish_many, list(finished))
        except FetchError as exc:  # committed already: it will be seen again and deduplicated
            log.warning("%s", exc)
        finished.clear()

    async def drain(self) -> None:
        if self.postman is None:
            return
        if self.unsettled:
            if not await self._settled():
                return
            await self.recover()
        # Until this drain ends well: one cut short (the database lost between two emails,
        # say) leaves the rest of its batch claimed, marked 'sending', which no later round
        # would send. The next drain first judges them, as a restart does.
        self.unsettled = True
        watched = _Watched(self.postman)
        sent = await self.services.drain(watched)
        self.unsettled = False
        if sent:
            self.count("sent", sent)
        if watched.failure:
            # Recorded on each email already; the log says once that the server is the trouble.
            log.warning("%s; the emails wait and are tried again next round", watched.failure)
            self.count("send-errors")

    async def _settled(self) -> bool:
        """Whether the email a drain cut short left in doubt can no longer be on its way to
        the Sent folder (``Outbox.in_doubt_until``, as at a handover): only then is it judged,
        so that a copy still landing there is not missed and the email sent twice."""
        smtp = self.services.settings.smtp
        settle = timedelta(seconds=smtp.timeout_seconds if smtp is not None else 0)
        until = await asyncio.to_thread(self.services.outbox.in_doubt_until, settle)
        if until is None:
            return True
        log.warning("sending was cut short: the email in doubt is judged at %s, and nothing is "
                    "sent until then", until.isoformat(timespec="seconds"))
        return False

    async def recover(self) -> None:
        """Judge the emails left 'sending' by a crash, or by a drain of this process cut short."""
        found, again = await asyncio.to_thread(
            self.services.recover, self.mailbox.already_sent if self.mailbox is not None else None)
        if found:
            log.warning("%d emails were being sent when sending stopped and had gone: "
                        "found in the sent folder", found)
        if again:
            log.warning("%d emails were being sent when sending stopped; sending them again", again)
        self.unsettled = False

    def close(self) -> None:
        if self.mailbox is not None:
            self.mailbox.close()

    async def run(self, stop: asyncio.Event, *, scheduler: bool = True) -> None:
        log.info("mailbot running%s (clock %s)", f": {self.describe}" if self.describe else "",
                 self.services.clock.now().isoformat(timespec="seconds"))
        await self.recover()
        loop = asyncio.get_running_loop()
        jobs = None
        if scheduler and self.schedule is not None:
            async def wake() -> None:
                self.wake.set()

            jobs = self.schedule(wake)
            jobs.start()
        if self.idle is not None:
            def wake_from_thread() -> None:
                loop.call_soon_threadsafe(self.wake.set)

            self.idle.wake = wake_from_thread
            self.idle.start()
        try:
            while not stop.is_set():
                self.wake.clear()
                await self.step()
                waiters = {asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())}
                _, pending = await asyncio.wait(waiters, timeout=self.retry_in or self.poll_seconds,
                                                return_when=asyncio.FIRST_COMPLETED)
                for task in pending:
                    task.cancel()
        finally:
            if jobs is not None:
                jobs.shutdown(wait=False)
            if self.idle is not None:
                self.idle.stop()
            if self.mailbox is not None:
                await asyncio.to_thread(self.mailbox.close)


class _Watched:
    """The postman, noting the first failure a round meets that is not the email's own fault."""

    def __init__(self, postman: Postman) -> None:
        self.postman = postman
        self.failure = ""

    async def send(self, rows: Sequence[OutboxRow], after: AfterSend | None = None
                   ) -> list[SendError | None]:
        results = await self.postman.send(rows, after)
        for error in results:
            if error is not None and not error.permanent and not self.failure:
                self.failure = str(error)
        return results
