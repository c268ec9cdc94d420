"""The coordinators' notices: what the bot tells a person when it cannot or must not act alone.

Pure, like every other letter: each function takes what happened and returns the Letter, with
its outbox key (which makes each notice go once). They pass through ``letters.notice``, so the
coordinators' content level and the confidentiality statement apply as to any email.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from mailbot.core.actions import ActionView
from mailbot.core.agenda import CaseView
from mailbot.core.compose import Letter
from mailbot.core.letters import Stationery, long_day, notice, short_day
from mailbot.core.model import Sender


def possible_repeat(s: Stationery, sender: Sender, new_ref: str, earlier: CaseView) -> Letter:
    who = s.directory.get(sender.partner).name if sender.partner else "no partner"
    last = f", last on the agenda {short_day(earlier.last_day)}" if earlier.last_day else ""
    return notice(s, key=f"notice:repeat:{new_ref}", title=f"possible repeat case {new_ref}", lines=[
        f"{sender.address} ({who}) added {new_ref} with initials that match "
        f"{earlier.reference} ({earlier.subject}: {earlier.concern}){last}.",
        "Only new concerns come to the meeting: please check whether it is the same person and tell "
        "the referrer."])


def unknown_owner(s: Stationery, held: date, chair: str, owner: str) -> Letter:
    return notice(s, key=f"notice:unknown-owner:{held}:{owner.lower()}",
                  title="action owner outside the directory", lines=[
                      f"{chair} gave an action to {owner}, an address that belongs to no partner.",
                      "It was recorded; please check the address is right and the person is expected."])


def cannot_complete(s: Stationery, owner: str, action: ActionView, note: str, back_on: date,
                    stamp: str) -> Letter:
    """``stamp`` (the minute it was reported) lets a second report of the same action through."""
    return notice(s, key=f"notice:cannot:{action.ident}:{stamp}", title=f"{action.ident} cannot be completed",
                  lines=[f"{owner} reports that {action.ident} ({action.case}: {action.text}) cannot be "
                         f"completed: {note}",
                         f"{action.case} is back on the case call for {long_day(back_on)}."])


def bounced(s: Stationery, address: str, who: str, subject: str) -> Letter:
    return notice(s, key=f"notice:bounced:{address}"[:290], title=f"email to {address} bounced", lines=[
        f"Email from the bot to {address} ({who}) could not be delivered (the bounce's subject: "
        f"{subject[:120]!r}).",
        "Until the address is put right in the config, that partner may be missing its case calls: "
        "please check it and tell them by phone.",
        "This is reported once; later bounces for the address are recorded only."])


def spoofed(s: Stationery, inbound_id: int, sender: str, subject: str, why: str) -> Letter:
    return notice(s, key=f"notice:spoofed:{inbound_id}", title="an email was rejected as possibly spoofed",
                  lines=[f"An email claiming to be from {sender} (subject {subject[:120]!r}) was not applied "
                         f"and not answered: {why}.",
                         "If it was genuine, ask the sender to resend it, or their IT team to fix their "
                         "domain's SPF/DKIM/DMARC records; if not, report it to your IT security team.",
                         f"It is kept as inbound #{inbound_id}."])


def encrypted(s: Stationery, inbound_id: int, sender: str, who: str, subject: str, what: str) -> Letter:
    return notice(s, key=f"notice:encrypted:{inbound_id}",
                  title="an encrypted email cannot be read automatically", lines=[
                      f"The email from {sender} ({who}), subject {subject[:120]!r}, is {what}.",
                      "Nothing in it was applied. Please open it in the bot's mailbox (processed folder) "
                      "and add any case by hand with 'mailbot cases add', or ask the sender to resend it.",
                      f"It is kept as inbound #{inbound_id}."])


def parked(s: Stationery, inbound_id: int, sender: str, subject: str, error: str) -> Letter:
    return notice(s, key=f"notice:failed:{inbound_id}", title="an email could not be read", lines=[
        f"The email from {sender} (subject {subject[:120]!r}) failed: {error}",
        f"It is kept as inbound #{inbound_id}; nothing in it was applied. "
        f"'mailbot inbox retry {inbound_id}' tries again."])


def missed(s: Stationery, kind: str, day: date, why: str) -> Letter:
    return notice(s, key=f"notice:missed:{kind}:{s.meeting_id}:{day}", title=f"{kind} for {day} not sent",
                  lines=[why])


@dataclass(frozen=True, slots=True)
class Missed:
    """A scheduled email that was not sent because the bot was not running when it was due."""

    kind: str  # case-call, attendance, digest
    day: date
    why: str  # one sentence: what was not sent, and between which times the bot was away


def missed_days(s: Stationery, missed_: Sequence[Missed]) -> Letter:
    """Every scheduled email missed while the bot was down, in one notice however many days it
    was away. One alone reads (and is keyed) as it always did; several are keyed by the first,
    which was claimed with them, so each notice goes once."""
    first = missed_[0]
    if len(missed_) == 1:
        return missed(s, first.kind, first.day, first.why)
    days = sorted({m.day for m in missed_})
    span = f"{days[0]}" if len(days) == 1 else f"{days[0]} to {days[-1]}"
    lines = [f"mailbot was not running when these {len(missed_)} scheduled emails were due, "
             "so they were not sent (nothing is sent late once it is of no use):",
             *(f"- {m.why}" for m in missed_),
             "Please make sure the partners know what they needed to by phone or email."]
    return notice(s, key=f"notice:missed:{first.kind}:{s.meeting_id}:{first.day}",
                  title=f"{len(missed_)} scheduled emails not sent ({span})", lines=lines)


@dataclass(frozen=True, slots=True)
class Refused:
    """An email the mail server refused for good, or accepted for only some recipients."""

    key: str
    recipients: str  # comma-separated, as queued
    subject: str
    reason: str  # what the server said
    partial: bool = False  # delivered to the other recipients: never sent again


def refused(s: Stationery, key: str, emails: Sequence[Refused]) -> Letter:
    """The emails the server refused in one sending round, grouped under what it said, so a
    refusal of many emails for one cause is one notice, not one per email. Subjects are shown
    as queued; the coordinators' own content level applies to this notice as to any."""
    failed = [e for e in emails if not e.partial]
    n = len(emails)
    lines = [f"The mail server refused {n} email{'s' if n != 1 else ''} from the bot. It said:"]
    for reason in dict.fromkeys(e.reason for e in emails):
        lines.append(f"* {reason}")
        lines += [f"  - {_what(e.key)} to {e.recipients.replace(',', ', ')}: {e.subject!r}"
                  + (" (delivered to its other recipients)" if e.partial else "")
                  for e in emails if e.reason == reason]
    if failed:
        lines.append(f"{len(failed)} of them {'was' if len(failed) == 1 else 'were'} not sent. Once the "
                     "cause is put right, 'mailbot outbox retry --failed' sends them again, as the same "
                     "emails; 'mailbot outbox --failed' lists them.")
    if len(failed) < n:
        lines.append("An email delivered to its other recipients is not sent again: please tell each "
                     "refused address what it needed by phone, and check the address in the config.")
    return notice(s, key=key[:290], title=f"{n} email{'s' if n != 1 else ''} refused by the mail server",
                  lines=lines)


def _what(key: str) -> str:
    """'case-call:daily:2026-11-23:police' -> 'case call 2026-11-23 (police)', for people."""
    kind, *rest = key.split(":")
    words = kind.replace("-", " ")
    if kind == "ack" and rest:
        return f"answer to inbound #{rest[0]}"
    if len(rest) >= 2 and rest[1][:2] == "20":
        return f"{words} {rest[1]}" + (f" ({rest[-1]})" if len(rest) >= 3 else "")
    return f"{words} ({':'.join(rest)})" if rest else words


def expired(s: Stationery, emails: Sequence[tuple[str, str, str | None]]) -> Letter:
    """Emails that could not go before they stopped being of use: (key, recipients, last error)."""
    lines = ["These emails could not be sent before they stopped being of use, and were not sent:"]
    for key, recipients, error in emails:
        kind, _, rest = key.partition(":")
        day = rest.split(":")[1] if rest.count(":") >= 2 else ""
        lines.append(f"- {kind.replace('-', ' ')} {day} to {recipients.replace(',', ', ')}"
                     f" (last error: {error or 'none'})")
    lines.append("Please make sure these partners know what they need to by phone or email.")
    return notice(s, key=f"notice:expired:{emails[0][0]}"[:290],
                  title=f"{len(emails)} email{'s' if len(emails) != 1 else ''} not sent in time", lines=lines)
