"""'mailbot outbox': every email the bot queued, with its outcome and the server's reason;
retry a refused one, or cancel one that must not go. Also how 'mailbot send' reports."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING

from mailbot.cli.common import Add, _actor, _as_option, _date_arg, _services
from mailbot.cli.tables import plural
from mailbot.errors import MailbotError

if TYPE_CHECKING:
    from mailbot.core.store import OutboxEntry


# What a person reads for each stored status.
_SAID = {"sent": "delivered", "pending": "waiting to retry", "sending": "being sent",
         "failed": "refused", "expired": "not sent (too late to be of use)", "cancelled": "cancelled"}


def outbox_commands(add: Add) -> None:
    p = add("outbox", cmd_outbox, "list the emails the bot queued and what became of each; "
                                  "retry a refused one, or cancel one")
    p.add_argument("action", nargs="?", choices=["list", "retry", "cancel"], default="list")
    p.add_argument("id", nargs="?", type=int, help="retry/cancel: the id shown by 'mailbot outbox'")
    show = p.add_mutually_exclusive_group()
    show.add_argument("--failed", action="store_true",
                      help="list: only emails refused for good; retry: all of them")
    show.add_argument("--pending", action="store_true", help="list: only emails waiting to be sent")
    p.add_argument("--date", type=_date_arg, metavar="DATE",
                   help="list: emails queued on this day (default today; any day with --failed/--pending)")
    p.add_argument("--json", action="store_true", help="list: one JSON object per email (JSON Lines)")
    _as_option(p)


def cmd_outbox(args: argparse.Namespace) -> int:
    services = _services(args)
    desk = services.outbox_desk
    if args.action == "list":
        if args.id is not None:
            raise MailbotError("outbox list takes no id: give 'mailbot outbox retry ID' or 'cancel ID'")
        statuses = ["failed"] if args.failed else ["pending", "sending"] if args.pending else []
        day = args.date or (None if statuses else services.queries.today())
        entries = desk.entries(statuses=statuses, day=day)
        if args.json:
            for e in entries:
                print(json.dumps(as_json(e), ensure_ascii=False))
        else:
            print_table(entries, services.settings.bot.zone)
        return 0
    if args.action == "retry" and args.failed:
        done = desk.retry_failed(_actor(args))
        print(f"{plural(len(done), 'refused email')} back in the queue: the running bot, or the next "
              "'mailbot send', sends them")
        return 0
    if args.id is None:
        raise MailbotError(f"outbox {args.action} needs an id from 'mailbot outbox'"
                           + (" (or --failed)" if args.action == "retry" else ""))
    if args.action == "retry":
        entry = desk.retry(args.id, _actor(args))
        print(f"#{entry.id} {entry.key}: back in the queue: the running bot, or the next "
              "'mailbot send', sends it")
    else:
        entry = desk.cancel(args.id, _actor(args))
        print(f"#{entry.id} {entry.key}: cancelled: it will not be sent")
    return 0


def as_json(e: OutboxEntry) -> dict[str, object]:
    return {"id": e.id, "key": e.key, "message_id": e.message_id, "recipients": list(e.recipients),
            "subject": e.subject, "status": e.status, "tries": e.attempts, "last_error": e.last_error,
            "created_at": e.created_at.isoformat(),
            "sent_at": e.sent_at.isoformat() if e.sent_at else None,
            "next_attempt_at": e.next_attempt_at.isoformat() if e.status == "pending" else None}


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def print_table(entries: Sequence[OutboxEntry], zone: tzinfo) -> None:
    """One line per email, its last error under it: the reason is what a person acts on."""
    print(f"{'id':>5}  {'queued':<11}  {'status':<9}  {'tries':>5}  {'key':<36}  {'to':<30}  subject")
    for e in entries:
        print(f"{e.id:>5}  {e.created_at.astimezone(zone):%d/%m %H:%M}  {e.status:<9}  {e.attempts:>5}  "
              f"{_cut(e.key, 36):<36}  {_cut(', '.join(e.recipients), 30):<30}  {_cut(e.subject, 60)}")
        if e.last_error and e.status != "sent":
            print(f"{'':>7}last error: {e.last_error}")
    print(f"{len(entries)} email{'s' if len(entries) != 1 else ''}")


def outcome(e: OutboxEntry) -> str:
    """What became of one email, with the server's reason where it was not delivered."""
    said = _SAID.get(e.status, e.status)
    if e.status == "sent":
        return said + (f" ({e.last_error})" if e.last_error else "")
    return f"{said}: {e.last_error}" if e.last_error else said


def print_outcomes(entries: Sequence[OutboxEntry]) -> bool:
    """Each email of a send, to whom and what became of it; True when every one was delivered."""
    kinds = {e.key.split(":")[0] for e in entries}
    for e in entries:
        kind = f" ({e.key.split(':')[0].replace('-', ' ')})" if len(kinds) > 1 else ""
        print(f"  {', '.join(e.recipients)}{kind}: {outcome(e)}")
    return all(e.status == "sent" and not (e.last_error or "").startswith("some recipients refused")
               for e in entries)
