"""The inbound pipeline: one raw email -> a Reading (verdict, sender, commands, problems).

Policy reads as a table, as in Mailman's chains: ``CHECKS`` is the ordered list
of reasons a mail is not read for commands, each with the predicate that
decides it. Only mail that passes every check is trimmed and parsed. The
From address alone identifies the sender (never Reply-To, Sender or the
display name).

Of a mail that is read, every line the sender newly wrote is an instruction
(``commands``), courtesy, or prose a person must read (``courtesy``); the
disposition follows from which of those it holds. Quoted text is never read,
and never the subject of a warning either: a quoted line is someone else's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from mailbot.core.commands import Parsed, read_commands
from mailbot.core.courtesy import for_coordinators
from mailbot.core.directory import Directory, address_key
from mailbot.core.message import Inbound, parse
from mailbot.core.model import Disposition, Reading, Reason, Sender, Verdict
from mailbot.core.quotes import trim
from mailbot.core.trust import encrypted_wrapper, portal_notice, sender_trust

REPLY_MARKER = "## Please reply above this line ##"


@dataclass(frozen=True, slots=True)
class Context:
    """What reading a mail needs to know besides the mail."""

    bot_address: str
    directory: Directory
    reference_prefix: str
    today: date  # the email's date in the meeting's time zone, for "tomorrow" and weekdays
    fingerprints: tuple[str, ...] = (REPLY_MARKER,)
    require_dmarc: bool = False
    trusted_authserv_ids: tuple[str, ...] = ()


_BOUNCE_SENDERS = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.I)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?reply|autoreply|out of (?:the )?office|"
    r"ooo\b|réponse automatique|automatische antwort|respuesta automática|"
    r"risposta automatica|ateb awtomatig|allan o['’]r swyddfa|absence)",
    re.IGNORECASE,
)


def _is_own_mail(mail: Inbound, ctx: Context) -> bool:
    own = address_key(ctx.bot_address)
    return any(address_key(a) == own for a in mail.from_addresses)


def _is_bounce(mail: Inbound, ctx: Context) -> bool:
    """RFC 3464/6522 delivery reports, and what MTAs send in their place."""
    if mail.content_type == "multipart/report":
        return True
    if any(_BOUNCE_SENDERS.match(a) for a in mail.from_addresses):
        return True
    return_path = mail.header("return-path")
    if return_path is not None and return_path.strip() in ("<>", ""):
        return True
    return mail.has_header("x-ms-exchange-message-is-ndr")


def _is_auto_reply(mail: Inbound, ctx: Context) -> bool:
    """RFC 3834 Auto-Submitted, list and bulk precedence, and Exchange's signals in combination."""
    auto = mail.header("auto-submitted")
    if auto is not None and auto.strip().lower().split(";")[0].strip() not in ("", "no"):
        return True
    precedence = (mail.header("precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return True
    if mail.has_header("x-autoreply") or mail.has_header("x-autorespond"):
        return True
    if _AUTO_SUBJECT.match(mail.subject):
        return True
    source = (mail.header("x-ms-exchange-generated-message-source") or "").lower()
    if "mailbox rules agent" in source:
        return True
    # X-Auto-Response-Suppress alone is a request, not proof, and Inbox-Rules-Loop
    # alone is also set on human mail forwarded by a rule; together they mark OOF.
    suppress = (mail.header("x-auto-response-suppress") or "").lower()
    return "all" in suppress and mail.has_header("x-ms-exchange-inbox-rules-loop")


CHECKS: tuple[tuple[Reason, Callable[[Inbound, Context], bool]], ...] = (
    (Reason.OWN_MAIL, _is_own_mail),
    (Reason.BOUNCE, _is_bounce),
    (Reason.AUTO_REPLY, _is_auto_reply),
)


def sender_of(mail: Inbound, directory: Directory) -> Sender:
    """The partner behind the From address; a From with several addresses is nobody's."""
    if len(mail.from_addresses) != 1:
        return Sender(", ".join(mail.from_addresses), None, False)
    return directory.sender(mail.from_addresses[0])


def read(raw: bytes, ctx: Context) -> Reading:
    """Read one raw email the way the bot will act on it. Pure; never raises on bad mail."""
    return read_parsed(parse(raw), ctx)


def read_parsed(mail: Inbound, ctx: Context) -> Reading:
    sender = sender_of(mail, ctx.directory)
    for reason, check in CHECKS:
        if check(mail, ctx):
            return Reading(Verdict.IGNORED, reason, sender, "", (), (), mail.message_id,
                           mail.subject, Disposition.IGNORED)
    if ctx.require_dmarc:
        trust = sender_trust(mail, ctx.trusted_authserv_ids, ctx.bot_address.rpartition("@")[2])
        if not trust.trusted:
            return Reading(Verdict.REJECTED, Reason.SPOOFED, sender, "", (), (trust.why,),
                           mail.message_id, mail.subject, Disposition.REJECTED)
    wrapper = encrypted_wrapper(mail)
    if wrapper is not None:
        return Reading(Verdict.REJECTED, Reason.ENCRYPTED, sender, "", (), (wrapper,),
                       mail.message_id, mail.subject, Disposition.REJECTED)
    if sender.partner is None:
        notice = portal_notice(mail.body)  # portal services often send from their own address
        if notice is not None:
            return Reading(Verdict.REJECTED, Reason.ENCRYPTED, sender, "", (), (notice,),
                           mail.message_id, mail.subject, Disposition.REJECTED)
        return Reading(Verdict.REJECTED, Reason.UNKNOWN_SENDER, sender, "", (), (),
                       mail.message_id, mail.subject, Disposition.REJECTED)
    trimmed = trim(mail.body, ctx.fingerprints)
    parsed = read_commands(
        trimmed.text,
        sender=sender,
        directory=ctx.directory,
        reference_prefix=ctx.reference_prefix,
        today=ctx.today,
        subject=mail.subject,
    )
    notice = portal_notice(mail.body) if not parsed.commands else None
    if notice is not None:
        return Reading(Verdict.REJECTED, Reason.ENCRYPTED, sender, "", (), (notice,),
                       mail.message_id, mail.subject, Disposition.REJECTED)
    return _accepted(mail, sender, trimmed.text, parsed, _agencies(ctx.directory))


def _agencies(directory: Directory) -> frozenset[str]:
    """Every partner's code, name and alias, casefolded: "Nothing from CNWL" is courtesy."""
    return frozenset(n.casefold() for p in directory for n in (p.code, p.name, *p.aliases))


def _accepted(mail: Inbound, sender: Sender, text: str, parsed: Parsed, agencies: frozenset[str]
              ) -> Reading:
    """The reading of a mail that passed every check: its commands, problems and the lines
    a person must read; its disposition follows from those."""
    problems = [*parsed.problems, *_damaged(mail)]
    prose = for_coordinators(text, parsed.instructions, parsed.stopped_at, agencies)
    if not parsed.commands and not problems and not text.strip() and mail.attachments:
        # A referral form sent as an attachment: nothing to read, so a person must look.
        names = ", ".join(mail.attachments[:5])
        prose = (f"(no text; attachments: {names})",)
        problems.append(f"the email has no text the bot can read, only attachments ({names}); "
                        "attachments are never read: write the case in the email itself")
        disposition = Disposition.TO_COORDINATOR
    else:
        disposition = disposition_of(bool(parsed.commands), bool(problems), prose)
    return Reading(Verdict.ACCEPTED, None, sender, text, parsed.commands, tuple(problems),
                   mail.message_id, mail.subject, disposition, parsed.read_as, prose)


def disposition_of(applied: bool, problems: bool, for_coordinators: Sequence[str]) -> Disposition:
    """An accepted email's disposition: what it asked for decides, in this order."""
    if applied:
        return Disposition.APPLIED
    if problems:
        return Disposition.CLARIFY
    if for_coordinators:
        return Disposition.TO_COORDINATOR
    return Disposition.COURTESY


def _damaged(mail: Inbound) -> list[str]:
    """Say so when an email's structure could not be read, rather than staying silent."""
    if mail.damaged:
        return ["the email's structure was damaged, so it was read as plain text; "
                "check that what is listed above is what you sent"]
    return []
