"""The composition root: the only place adapters are built and handed to the use cases and
the service loop (``mailbot.loop``)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.adapters import db, engine, scheduler
from mailbot.adapters.clock import SystemClock
from mailbot.adapters.imap import IdleWatcher, ImapMailbox, connect
from mailbot.adapters.signin import TokenSource
from mailbot.adapters.smtp import SmtpPostman
from mailbot.adapters.templates import meeting_renders, renderer
from mailbot.config import Settings, trust_warnings
from mailbot.core.ports import Clock, Office
from mailbot.errors import ConfigError
from mailbot.loop import Runtime
from mailbot.preflight import check_secrets
from mailbot.services import Services
from mailbot.standby import Standby, holder_name

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from mailbot.adapters.leader import PostgresLeadership

log = logging.getLogger("mailbot")


def open_store(settings: Settings) -> db.Store:
    engine = db.connect(settings.database_url)
    db.upgrade(engine)
    return db.Store(engine)


def build_services(settings: Settings, clock: Clock | None = None, store: db.Store | None = None,
                   *, service: bool = False) -> Services:
    """``service``: for the long-running bot, which compiles every template as it starts."""
    return Services(settings, store or open_store(settings), clock or SystemClock(),
                    renderer(compile_now=service), meeting_renders(settings, compile_now=service))


def token_source(settings: Settings) -> TokenSource | None:
    return TokenSource(settings.m365) if settings.m365 is not None else None


def postman(settings: Settings, tokens: TokenSource | None = None) -> SmtpPostman:
    if settings.smtp is None:
        raise ConfigError("sending needs [smtp] in the config")
    return SmtpPostman(settings.smtp, settings.bot.address,
                       tokens=tokens if tokens is not None else token_source(settings))


def warn_plain(settings: Settings) -> None:
    for name, server in (("imap", settings.imap.server if settings.imap else None), ("smtp", settings.smtp)):
        if server is not None and server.plain:
            log.warning("[%s] security = \"none\": mail to and from %s:%d is NOT encrypted; use this only "
                        "for a server on this machine", name, server.host, server.port)


def warn_trust(settings: Settings) -> None:
    for line in trust_warnings(settings):
        log.warning("%s", line)


def describe(settings: Settings) -> str:
    """Which bot this is, for the start line: config, database (no password), mailbox."""
    return (f"config {settings.source or '-'}, database {engine.shown(settings.database_url)}, "
            f"mailbox {settings.bot.address}")


def build_runtime(settings: Settings, clock: Clock | None = None, store: db.Store | None = None
                  ) -> Runtime:
    """The real thing: IMAP and SMTP from the config. What it cannot start without (its
    secrets, its database) is checked first, before any server is contacted."""
    if settings.imap is None or settings.smtp is None:
        raise ConfigError("'mailbot run' needs both [imap] and [smtp] in the config")
    check_secrets(settings)
    services = build_services(settings, clock, store, service=True)
    warn_plain(settings)
    warn_trust(settings)
    if exposed := engine.readable_by_others(settings.database_url):
        log.warning("%s", exposed)
    tokens = token_source(settings)  # one app and one token cache for IMAP, IDLE and SMTP
    factory = functools.partial(connect, tokens=tokens)
    idle = IdleWatcher(settings.imap, wake=lambda: None, factory=factory) if settings.imap.idle else None
    return Runtime(services, ImapMailbox(settings.imap, factory=factory), postman(settings, tokens),
                   poll_seconds=settings.imap.poll_seconds, idle=idle,
                   schedule=functools.partial(scheduler.build, settings), describe=describe(settings))


def build_demo_runtime(settings: Settings, clock: Clock, maildir: Path) -> Runtime:
    """The demo's: replies from a local Maildir, sending over the real SMTP adapter to the
    demo's embedded server."""
    from mailbot.adapters.maildir import MaildirMailbox

    assert settings.smtp is not None
    return Runtime(build_services(settings, clock), MaildirMailbox(maildir),
                   SmtpPostman(settings.smtp, settings.bot.address))


def build_standby(settings: Settings, clock: Clock | None = None) -> Standby:
    """Two processes on one PostgreSQL (mailbot.standby): the lock, and each term in office
    a runtime whose every transaction is fenced by the epoch it took office with."""
    PostgresLeadership, pool = _leader()
    if settings.imap is None or settings.smtp is None:
        raise ConfigError("'mailbot run' needs both [imap] and [smtp] in the config")
    holder = holder_name()

    def term(epoch: int) -> Runtime:
        return build_runtime(settings, clock, db.Store(pool(settings.database_url, settings.takeover_seconds),
                                                       fence=epoch))

    return Standby(PostgresLeadership(settings.database_url, holder, settings.takeover_seconds),
                   lambda: open_store(settings).close(), term, holder, settings.takeover_seconds,
                   timedelta(seconds=settings.smtp.timeout_seconds))


def office(settings: Settings) -> Office | None:
    """Who is active (``mailbot status``); None for SQLite, which serves one process."""
    if not settings.database_url.startswith("postgresql"):
        return None
    PostgresLeadership, _ = _leader()
    return PostgresLeadership(settings.database_url, f"{holder_name()} status").office()


def _leader() -> tuple[type[PostgresLeadership], Callable[[str, float], Engine]]:
    try:
        from mailbot.adapters.leader import PostgresLeadership, pool
    except ImportError as exc:
        raise ConfigError(f"PostgreSQL needs its driver: pip install -e '.[postgresql]' ({exc})") from exc
    return PostgresLeadership, pool
