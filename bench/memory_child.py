"""The memory figure's own process: mailbot reading a backlog, and nothing of the benchmark's
harness. Importing the harness here would load its test servers' libraries (aiosmtpd, the
test rig), which mailbot never loads, and count them as mailbot's.

Usage (by bench/run_all.py): python bench/memory_child.py SETTINGS.pickle
"""

from __future__ import annotations

import asyncio
import json
import pickle
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path


def peak_kb() -> int:
    """This process's peak RSS. VmHWM starts afresh at exec; ru_maxrss would carry the
    parent's high-water mark across fork+exec on Linux."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(path: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from mailbot.adapters.clock import SettableClock
    from mailbot.adapters.db import Store, connect, upgrade
    from mailbot.adapters.imap import ImapMailbox
    from mailbot.adapters.templates import renderer
    from mailbot.loop import Runtime
    from mailbot.services import Services

    settings = pickle.loads(Path(path).read_bytes())
    engine = connect(settings.database_url)
    upgrade(engine)  # made beforehand: this finds it up to date, as a running service does
    clock = SettableClock(datetime(2026, 11, 23, 10, 30, tzinfo=UTC), 0.0)
    services = Services(settings, Store(engine), clock, renderer())
    rt = Runtime(services, ImapMailbox(settings.imap), postman=None)
    asyncio.run(rt.pump())
    rt.close()
    done = sum(v for k, v in rt.stats.items() if k.startswith("inbound-"))
    print(json.dumps({"done": done, "rss": peak_kb()}))


if __name__ == "__main__":
    main(sys.argv[1])
