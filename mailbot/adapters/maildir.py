"""A local Maildir as the bot's mailbox (the demo, or a server delivering to disk).

Same contract as the IMAP mailbox: what is waiting in ``new/`` and ``cur/``,
oldest first, then moved to a processed or failed sub-folder once committed.
"""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from pathlib import Path

from mailbot.adapters.imap import Fetched
from mailbot.errors import FetchError


class MaildirMailbox:
    def __init__(self, root: Path, folder: str = "INBOX") -> None:
        self.root = root
        self.folder = folder
        try:
            self.box = mailbox.Maildir(str(root), create=True)
            self.processed = self._sub("processed")
            self.failed = self._sub("failed")
        except OSError as exc:
            raise FetchError(f"cannot open Maildir {root}: {exc}") from exc
        self._keys: dict[int, str] = {}
        self._next = 1

    def _sub(self, name: str) -> mailbox.Maildir:
        if name in self.box.list_folders():
            return self.box.get_folder(name)
        return self.box.add_folder(name)

    def fetch_new(self, limit: int = 500) -> list[Fetched]:
        try:
            entries = []
            for key in self.box.iterkeys():
                info = self.box.get_file(key)
                try:
                    path = Path(info.name)  # type: ignore[attr-defined]
                finally:
                    info.close()
                entries.append((path.stat().st_mtime, key, path))
        except OSError as exc:
            raise FetchError(f"cannot read Maildir {self.root}: {exc}") from exc
        found = []
        known = {v: k for k, v in self._keys.items()}
        for mtime, key, path in sorted(entries)[:limit]:
            uid = known.get(key)
            if uid is None:
                uid, self._next = self._next, self._next + 1
                self._keys[uid] = key
            found.append(Fetched(uid, 1, self.folder, path.read_bytes(),
                                 datetime.fromtimestamp(mtime, UTC)))
        return found

    def finish(self, item: Fetched, *, failed: bool = False) -> None:
        key = self._keys.pop(item.uid, None)
        if key is None:
            return
        target = self.failed if failed else self.processed
        try:
            target.add(self.box.get_bytes(key))
            self.box.remove(key)
        except (OSError, KeyError) as exc:
            raise FetchError(f"cannot move a message in {self.root}: {exc}") from exc

    def close(self) -> None:
        self.box.close()
