"""Two ``mailbot run`` processes on two hosts sharing one PostgreSQL: one active, one standing
by, which takes over within ``[database] takeover_seconds`` when the active one dies or loses
the database.

A process stands by until it gets the lock (``Leadership``), brings the schema up to date,
takes office (a new epoch), then runs the ordinary service loop (``mailbot.loop.Runtime``)
over a store fenced by that epoch. A watcher asks after the lock every ``takeover_seconds /
30``; when it is gone the loop is told to stop, and the fence has already refused every
transaction since another process took office. The process then stands by again, in the
same process: a service manager need not restart it, and it can take office back later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from mailbot.core.ports import Leadership
from mailbot.errors import StoreError
from mailbot.loop import Runtime

log = logging.getLogger("mailbot")


def holder_name() -> str:
    """This process as the log, the database and ``mailbot status`` name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Standby:
    leadership: Leadership
    prepare: Callable[[], None]  # with the lock held, before taking office: upgrade the schema
    term: Callable[[int], Runtime]  # the service loop over a store fenced by this epoch
    holder: str
    takeover_seconds: float = 30.0
    settle: timedelta = timedelta(seconds=30)  # the SMTP timeout: see Outbox.in_doubt_until

    @property
    def beat(self) -> float:
        """How often a standby asks for the lock and the active process checks it still holds it."""
        return self.takeover_seconds / 30

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                epoch = await self._wait_for_office(stop)
                if epoch is None:
                    break
                await self._serve(epoch, stop)
        finally:
            await asyncio.to_thread(self.leadership.release)
        log.info("mailbot stopped (%s)", self.holder)

    async def _wait_for_office(self, stop: asyncio.Event) -> int | None:
        told = ""
        while not stop.is_set():
            try:
                if await asyncio.to_thread(self.leadership.try_lock):
                    await self._beating(self.prepare)
                    epoch = await asyncio.to_thread(self.leadership.take_office)
                    log.info("took office: %s is the active process (epoch %d)", self.holder, epoch)
                    return epoch
                now = f"standing by: {self.holder} takes over when the active process stops"
            except StoreError as exc:
                await asyncio.to_thread(self.leadership.release)
                now = f"standing by: {exc}"
            if now != told:  # said once, not every beat
                log.info("%s", now)
                told = now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.beat)
        return None

    async def _beating(self, work: Callable[[], None]) -> None:
        """Run ``work`` (a migration: it may be long) in a thread while the lock session keeps
        beating: the server ends a session idle for a third of ``takeover_seconds``."""
        task = asyncio.ensure_future(asyncio.to_thread(work))
        while not task.done():
            await asyncio.wait({task}, timeout=self.beat)
            if not task.done():
                await asyncio.to_thread(self.leadership.check, 0)
        task.result()

    async def _serve(self, epoch: int, stop: asyncio.Event) -> None:
        ended, lost = asyncio.Event(), asyncio.Event()
        # Beating before the runtime is built: building it can outlast the server's patience.
        watch = asyncio.create_task(self._watch(stop, ended, lost))
        runtime = await asyncio.to_thread(self.term, epoch)
        failed = None
        try:
            if await self._settle(runtime, ended):
                await runtime.run(ended)
        except StoreError as exc:  # the loop could not even start
            failed = exc
        finally:
            ended.set()
            await watch
            runtime.services.store.close()
        if failed is not None:  # let a process that can use the database lead
            log.error("leaving office: %s (epoch %d): %s", self.holder, epoch, failed)
            await asyncio.to_thread(self.leadership.release)
            await asyncio.sleep(self.beat * 3)
        elif lost.is_set():
            log.error("lost office: %s (epoch %d) lost its lock on the database and stopped "
                      "reading and sending; standing by", self.holder, epoch)

    async def _watch(self, stop: asyncio.Event, ended: asyncio.Event, lost: asyncio.Event) -> None:
        while not ended.is_set():
            if not await asyncio.to_thread(self.leadership.check, self.beat):
                lost.set()
                ended.set()
            elif stop.is_set():
                ended.set()

    async def _settle(self, runtime: Runtime, ended: asyncio.Event) -> bool:
        """Wait until no email of the previous process can still be on its way (see
        ``Outbox.in_doubt_until``), so that the recovery at the loop's start judges each
        one from a Sent folder that already holds it. False: office ended meanwhile."""
        services = runtime.services
        until = await asyncio.to_thread(services.outbox.in_doubt_until, self.settle)
        if until is None:
            return True
        wait = max(0.0, (until - services.clock.now()).total_seconds())
        log.warning("an email the previous process was sending may still be on its way: "
                    "judging it in %.1f s, before anything else is read or sent", wait)
        try:
            await asyncio.wait_for(ended.wait(), wait)
        except TimeoutError:
            return True
        return False
