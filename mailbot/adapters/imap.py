"""IMAP with imapclient: fetch new replies in UID order, then move each out of the inbox.

Correctness never depends on IDLE: every wake-up (IDLE, poll, start) fetches
whatever is still in the folder, so a lost notification or a reconnect loses
nothing. Messages are read with BODY.PEEK so the \\Seen flag is left alone
(RFC 3501 §6.4.5), a large one only in the parts that are read (``imap_parts``),
and moved only after the database has committed them
(RFC 6851 MOVE, or COPY + \\Deleted + UID EXPUNGE where MOVE is missing).
Every blocking call runs off the event loop, each connection in one thread.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from mailbot.adapters.imap_parts import LARGE, Piece, assemble, layout, sections
from mailbot.adapters.signin import TokenSource, explain_refusal, password
from mailbot.adapters.tls import tls_context
from mailbot.config import ImapSettings
from mailbot.core.ports import Arrival
from mailbot.errors import ConfigError, FetchError, SignInError

log = logging.getLogger(__name__)

_TRANSIENT = (IMAPClientError, IMAPClientAbortError, OSError, socket.timeout, ssl.SSLError, EOFError)
IDLE_RENEW_SECONDS = 9 * 60  # well within RFC 2177's 29 minutes
BATCH = 100
BYTES_PER_ROUND = 8_000_000


def connect(settings: ImapSettings, tokens: TokenSource | None = None) -> IMAPClient:
    """The one place an IMAP connection is made: TLS unless the config says "none", then
    a password or an XOAUTH2 token (a fresh one whenever the cached one is near expiry)."""
    server = settings.server
    try:
        if server.auth == "oauth2-m365":
            if tokens is None:
                raise FetchError("IMAP is set to oauth2-m365 but no [m365] app is configured")
            secret = tokens.token()
        else:
            secret = password(server)
    except (SignInError, ConfigError) as exc:  # a secret that went away while running
        raise FetchError(str(exc)) from exc
    try:
        client = IMAPClient(server.host, port=server.port, ssl=server.security == "tls",
                            ssl_context=tls_context(server) if server.security != "none" else None,
                            timeout=server.timeout_seconds)
    except _TRANSIENT as exc:
        raise FetchError(f"cannot connect to IMAP {server.host}:{server.port}: {exc}") from exc
    try:
        if server.security == "starttls":
            client.starttls(tls_context(server))
        if server.auth == "oauth2-m365":
            client.oauth2_login(server.username, secret)
        else:
            client.login(server.username, secret)
    except LoginError as exc:
        _quietly_close(client)
        raise FetchError(explain_refusal(server, "imap", _said(exc))) from exc
    except _TRANSIENT as exc:
        _quietly_close(client)
        raise FetchError(f"cannot log in to IMAP {server.host}:{server.port}: {exc}") from exc
    return client


def _said(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    return text[2:-1] if text.startswith(("b'", 'b"')) else text


class ImapMailbox:
    """The bot's folder: what is waiting in it, and where each message goes once read."""

    def __init__(self, settings: ImapSettings,
                 factory: Callable[[ImapSettings], IMAPClient] = connect) -> None:
        self.settings = settings
        self.factory = factory
        self.client: IMAPClient | None = None
        self.uidvalidity = 0
        self._folders_ready = False
        self.fetched_bytes = 0  # of email read from the server: what a round costs the network

    def _open(self) -> IMAPClient:
        if self.client is None:
            client = self.factory(self.settings)
            try:
                info = client.select_folder(self.settings.folder)
            except _TRANSIENT as exc:
                _quietly_close(client)
                said = _said(exc)
                if "authenticated but not connected" in said.lower():
                    said = explain_refusal(self.settings.server, "imap", said)
                raise FetchError(f"cannot open folder {self.settings.folder!r}: {said}") from exc
            self.uidvalidity = int(info.get(b"UIDVALIDITY", 0))
            self.client = client
            self._ensure_folders(client)
        return self.client

    def _ensure_folders(self, client: IMAPClient) -> None:
        if self._folders_ready:
            return
        for folder in (self.settings.processed_folder, self.settings.failed_folder):
            if not client.folder_exists(folder):
                try:
                    client.create_folder(folder)
                except IMAPClientError:
                    if not client.folder_exists(folder):
                        raise
        self._folders_ready = True

    def _drop(self) -> None:
        if self.client is not None:
            _quietly_close(self.client)
        self.client = None

    def fetch_new(self, limit: int = 500, budget: int = BYTES_PER_ROUND) -> list[Arrival]:
        """Messages waiting in the folder, oldest UID first, up to ``budget`` bytes a round
        (always at least one), so a backlog of large attachments never sits in memory at once."""
        try:
            client = self._open()
            client.noop()  # lets the server tell us of messages that arrived meanwhile
            uids = sorted(client.search(["ALL"]))[:limit]
            sizes: dict[int, Any] = {}
            if uids:
                sizes = client.fetch(uids, ["RFC822.SIZE"])
                total, chosen = 0, list[int]()
                for uid in uids:
                    total += int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
                    if chosen and total > budget:
                        break
                    chosen.append(uid)
                uids = chosen
            return self._fetch_chosen(client, uids, sizes)
        except _TRANSIENT as exc:
            self._drop()
            raise FetchError(f"IMAP fetch failed: {exc}") from exc

    def _fetch_chosen(self, client: IMAPClient, uids: list[int], sizes: dict[int, Any]) -> list[Arrival]:
        """Each email whole, in chunks, but a large one only in the parts that are read."""
        large = {uid for uid in uids if int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0)) > LARGE}
        small = [uid for uid in uids if uid not in large]
        found: dict[int, Arrival] = {}
        for start in range(0, len(small), BATCH):
            self._fetch_whole(client, small[start:start + BATCH], found)
        if large:
            structures = client.fetch(sorted(large), ["BODYSTRUCTURE"])
            for uid in sorted(large):
                pieces = layout(structures.get(uid, {}).get(b"BODYSTRUCTURE"))
                if pieces is None or not self._fetch_parts(client, uid, pieces, found):
                    self._fetch_whole(client, [uid], found)
        return [found[uid] for uid in uids if uid in found]

    def _fetch_whole(self, client: IMAPClient, uids: list[int], found: dict[int, Arrival]) -> None:
        data = client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])
        for uid in uids:
            item = data.get(uid)
            if item is None or b"BODY[]" not in item:
                continue  # expunged meanwhile by another client
            found[uid] = self._arrival(uid, bytes(item[b"BODY[]"]), item)

    def _fetch_parts(self, client: IMAPClient, uid: int, pieces: list[Piece],
                     found: dict[int, Arrival]) -> bool:
        item = client.fetch([uid], [*sections(pieces), "INTERNALDATE"]).get(uid)
        if item is None:
            return True  # expunged meanwhile
        raw = assemble(pieces, item)
        if raw is None:
            return False
        found[uid] = self._arrival(uid, raw, item)
        return True

    def _arrival(self, uid: int, raw: bytes, item: dict[bytes, Any]) -> Arrival:
        self.fetched_bytes += len(raw)
        return Arrival(raw, self.settings.folder, self.uidvalidity, uid, _aware(item.get(b"INTERNALDATE")))

    def finish(self, item: Arrival, *, failed: bool = False) -> None:
        self.finish_many([(item, failed)])

    def finish_many(self, done: list[tuple[Arrival, bool]]) -> None:
        """Move messages out of the folder once their outcomes are committed, one command a folder."""
        try:
            client = self._open()
            for failed in (False, True):
                uids = [item.uid for item, f in done
                        if f is failed and item.uid is not None and item.uidvalidity == self.uidvalidity]
                if not uids:
                    continue  # (a rebuilt folder's messages are found again and deduplicated)
                target = self.settings.failed_folder if failed else self.settings.processed_folder
                if client.has_capability("MOVE"):
                    client.move(uids, target)
                else:
                    client.copy(uids, target)
                    client.add_flags(uids, [b"\\Deleted"])
                    client.uid_expunge(uids)
        except _TRANSIENT as exc:
            self._drop()
            raise FetchError(f"IMAP move failed: {exc}") from exc

    def already_sent(self, message_ids: list[str]) -> set[str]:
        """Which of these Message-IDs the server keeps a sent copy of (empty when no sent
        folder is configured). Raises FetchError when it cannot tell."""
        folder = self.settings.sent_folder
        if not folder or not message_ids:
            return set()
        client = self.factory(self.settings)
        try:
            if not client.folder_exists(folder):
                raise FetchError(f"the sent folder {folder!r} does not exist")
            client.select_folder(folder, readonly=True)
            found = set()
            for mid in message_ids:
                # SEARCH HEADER matches substrings (RFC 3501 §6.4.4): the angle brackets
                # make a Message-ID match only itself.
                if client.search(["HEADER", "Message-ID", mid]):
                    found.add(mid)
            return found
        except _TRANSIENT as exc:
            raise FetchError(f"cannot search the sent folder {folder!r}: {exc}") from exc
        finally:
            _quietly_close(client)

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(*_TRANSIENT):
                self.client.logout()
        self.client = None


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _quietly_close(client: IMAPClient) -> None:
    with contextlib.suppress(*_TRANSIENT):
        client.shutdown()


class IdleWatcher(threading.Thread):
    """Its own connection in IDLE; calls ``wake`` when the server reports new mail.

    Only a hint: on any error it backs off and reconnects, and it wakes the
    loop on every reconnect so a catch-up fetch runs.
    """

    def __init__(self, settings: ImapSettings, wake: Callable[[], None],
                 factory: Callable[[ImapSettings], IMAPClient] = connect) -> None:
        super().__init__(name="imap-idle", daemon=True)
        self.settings = settings
        self.wake = wake
        self.factory = factory
        self.stopping = threading.Event()
        self.watching = False  # connected and in the folder: a failure now is a lost connection
        self.failing = ""  # what the last failure said: the same failure again is not logged again

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        delay = 1.0
        while not self.stopping.is_set():
            self.watching = False
            try:
                self._watch()
            except Exception as exc:  # this thread must never die: it only wakes the loop
                if self.watching:  # it worked until now: a new connection soon
                    delay = 1.0
                said = (f"IMAP IDLE connection lost ({exc})" if self.watching
                        else f"IMAP IDLE cannot start ({exc})")
                if said != self.failing:
                    # Said once: the main loop reports an unreachable server every round already.
                    log.warning("%s; trying again, backing off up to 5 minutes", said)
                self.failing = said
                self.stopping.wait(delay)
                delay = min(delay * 2, 300.0)

    def _watch(self) -> None:
        client = self.factory(self.settings)
        try:
            client.select_folder(self.settings.folder, readonly=True)
            self.watching = True
            if self.failing:
                log.info("IMAP IDLE is watching %s again", self.settings.folder)
                self.failing = ""
            self.wake()  # a reconnect may have missed notices: catch up
            while not self.stopping.is_set():
                client.idle()
                started = datetime.now(UTC)
                try:
                    while not self.stopping.is_set():
                        responses = client.idle_check(timeout=5)
                        if any(r[0] == b"BYE" for r in responses if isinstance(r, tuple)):
                            raise IMAPClientAbortError("server said BYE")
                        if any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT")
                               for r in responses):
                            self.wake()
                        if (datetime.now(UTC) - started).total_seconds() > IDLE_RENEW_SECONDS:
                            break
                finally:
                    client.idle_done()
                client.noop()
        finally:
            _quietly_close(client)
