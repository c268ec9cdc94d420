"""A local Maildir as the bot's mailbox (the demo, or a server delivering to disk).

Same contract as the IMAP mailbox: what is waiting in ``new/`` and ``cur/``,
oldest first, then moved to the ``.processed`` or ``.failed`` sub-folder
(Maildir++) once its outcome is committed. A rename is atomic, so a crash
leaves each message in exactly one place.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from mailbot.core.ports import Arrival
from mailbot.errors import FetchError


class MaildirMailbox:
    def __init__(self, root: Path, folder: str = "INBOX") -> None:
        self.root = root
        self.folder = folder
        try:
            for box in (root, root / ".processed", root / ".failed"):
                for sub in ("new", "cur", "tmp"):
                    (box / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FetchError(f"cannot open Maildir {root}: {exc}") from exc
        self._paths: dict[int, Path] = {}
        self._uids: dict[Path, int] = {}
        self._next = 1

    def fetch_new(self, limit: int = 500) -> list[Arrival]:
        try:
            entries = [(path.stat().st_mtime, path.name, path)
                       for sub in ("new", "cur") for path in (self.root / sub).iterdir()
                       if not path.name.startswith(".")]
            found = []
            for mtime, _, path in sorted(entries)[:limit]:
                uid = self._uids.get(path)
                if uid is None:
                    uid, self._next = self._next, self._next + 1
                    self._uids[path], self._paths[uid] = uid, path
                found.append(Arrival(path.read_bytes(), self.folder, 1, uid,
                                     datetime.fromtimestamp(mtime, UTC)))
            return found
        except OSError as exc:
            raise FetchError(f"cannot read Maildir {self.root}: {exc}") from exc

    def finish(self, item: Arrival, *, failed: bool = False) -> None:
        path = self._paths.pop(item.uid, None) if item.uid is not None else None
        if path is None:
            return
        self._uids.pop(path, None)
        target = self.root / (".failed" if failed else ".processed") / "cur" / path.name
        try:
            os.replace(path, target)
        except OSError as exc:
            raise FetchError(f"cannot move {path.name} in {self.root}: {exc}") from exc

    def finish_many(self, done: list[tuple[Arrival, bool]]) -> None:
        for item, failed in done:
            self.finish(item, failed=failed)

    def already_sent(self, message_ids: list[str]) -> set[str]:
        return set()  # the demo's SMTP server keeps no sent copies

    def close(self) -> None:
        self._paths.clear()
        self._uids.clear()
