"""Commands that read the config or an email and touch no database."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.config import Settings
from mailbot.cli.common import _config_path, _load
from mailbot.cli.tables import plural


def cmd_explain(args: argparse.Namespace) -> int:
    from mailbot.adapters.templates import renderer
    from mailbot.core.inbound import read_parsed
    from mailbot.core.message import parse
    from mailbot.explain import as_json, as_text
    from mailbot.services import reading_context, stationery_of
    from mailbot.services.routing import asked, routed

    settings = _load(args)
    zone = settings.bot.zone
    stationeries = stationery_of(settings, renderer())
    fingerprints = stationeries[settings.meeting.id].fingerprints
    if args.skip_sender_check and settings.privacy.require_dmarc_pass:
        print("mailbot: sender checks skipped (--skip-sender-check): the running bot would still "
              "require the receiving server's DMARC pass", file=sys.stderr)
    status = 0
    for name in args.emails:
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            print(f"mailbot: {name}: cannot read: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        mail = parse(raw)
        # "tomorrow" and weekday names in a reply count from the day it was sent.
        sent = mail.date.astimezone(zone).date() if mail.date and mail.date.tzinfo else None
        # Routed as the bot routes it, but for the thread: explain opens no database.
        found = routed(settings, mail, None, fingerprints)
        meeting = next((m for m in settings.meetings if m.id == found.meeting), settings.meeting)
        ctx = reading_context(settings, meeting, stationeries[meeting.id], sent or datetime.now(zone).date(),
                              check_sender=not args.skip_sender_check)
        reading = asked(read_parsed(mail, ctx), found)
        where = {"id": found.meeting, "name": meeting.name if found.meeting else None, "by": found.by}
        print(as_json(reading, where) if args.json
              else as_text(reading, settings.directory, name, where) + "\n")
    return status


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = _load(args)
    print(f"{_config_path(args)}: OK: {plural(len(settings.partners), 'partner')}, "
          f"{plural(len(settings.meetings), 'meeting')}, bot {settings.bot.address}")
    for line in _warnings(settings):
        print(f"warning: {line}")
    from mailbot.adapters.templates import meeting_renders

    meeting_renders(settings)  # a meeting's own template that would fail, named now (ConfigError)
    for m in settings.meetings:
        if m.templates:
            print(f"{m.id}: its own templates from {m.templates}")
    p = settings.privacy
    print(f"content: full case details to {', '.join(p.secure_domains) or 'no domain'}; "
          f"{p.default_level} to every other domain; records kept {p.retention_months} months")
    if p.require_dmarc_pass:
        print("senders: DMARC pass required, read from Authentication-Results written by "
              f"{', '.join(p.trusted_authserv_ids) or 'the topmost server (no trusted_authserv_ids)'}")
    return 0


def _warnings(settings: Settings) -> list[str]:
    from mailbot.adapters.engine import readable_by_others
    from mailbot.config import trust_warnings

    found = []
    for server in settings.servers():
        if server.auth == "password" and server.password_env and not server.password_file \
                and not os.environ.get(server.password_env):
            found.append(f"{server.password_env} is not set; {server.host} cannot be used yet")
        if server.plain:
            found.append(f"{server.host}:{server.port} has security = \"none\": mail is not encrypted")
    m365 = settings.m365
    if m365 is not None and m365.client_secret_env and not m365.client_secret_file \
            and not m365.certificate_file and not os.environ.get(m365.client_secret_env):
        found.append(f"{m365.client_secret_env} is not set; Microsoft 365 sign-in cannot work yet")
    found += trust_warnings(settings)
    if exposed := readable_by_others(settings.database_url):
        found.append(exposed)
    return found


def cmd_partners_list(args: argparse.Namespace) -> int:
    settings = _load(args)
    for p in settings.partners:
        role = " (coordinator)" if p.coordinator else ""
        print(f"{p.code:<18} {p.name}{role}")
        print(f"{'':<18} names: {', '.join(p.aliases) or '-'}")
        print(f"{'':<18} emails: {', '.join(p.emails)}; domains: {', '.join(p.domains) or '-'}")
    return 0
