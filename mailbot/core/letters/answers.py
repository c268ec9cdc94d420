"""Answers to an email, and what goes to the coordinators."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mailbot.core.agenda import DayView
from mailbot.core.compose import Attachment, Letter, reply_subject
from mailbot.core.directory import Directory, short_name
from mailbot.core.letters.stationery import (
    _REPLY_PREFIX,
    Draft,
    Stationery,
    long_day,
)
from mailbot.core.model import Partner


@dataclass(frozen=True)
class ReplyTo:
    """The email an answer goes back to, threaded under it."""

    key: str  # the answer's outbox key
    to: str
    subject: str
    message_id: str | None
    references: Sequence[str] = ()


@dataclass(frozen=True)
class Answer:
    """What an acknowledgement says."""

    done: Sequence[str] = ()
    problems: Sequence[str] = ()
    status: dict[str, object] | None = None  # the sender's status, when it asked
    secrets: Sequence[str] = ()  # the sender's words, withheld where details may not go
    read_as: Sequence[str] = ()
    headline: Headline | None = None  # the sender's new status, when the email changed it
    forwarded: bool = False  # part of it went to the coordinators
    only_forwarded: bool = False  # all of it did: a person will pick it up
    invite: Attachment | None = None


def acknowledgement(s: Stationery, reply: ReplyTo, answer: Answer) -> Letter:
    """The answer to a partner's email: the sender's status first when the email changed it,
    what was done, how lenient lines were read, what was not done and why, and whether a
    person will pick the rest up."""
    key, to, subject, message_id, references = (reply.key, reply.to, reply.subject, reply.message_id,
                                                 reply.references)
    done, problems, status, secrets, read_as, headline, forwarded, only_forwarded, invite = (
        answer.done, answer.problems, answer.status, answer.secrets, answer.read_as, answer.headline,
        answer.forwarded, answer.only_forwarded, answer.invite)
    ctx = {**s.base(), "done": list(done), "problems": list(problems), "status": status,
           "read_as": list(read_as), "headline": headline.sentence if headline else "",
           "forwarded": forwarded, "only_forwarded": only_forwarded}
    subject = fresh_subject(subject, s.directory, s.marking)
    if headline:
        subject = f"{subject} - {headline.tag}"
    return s.letter(Draft(
        "ack", key, (to,), reply_subject(subject), ctx, secrets,
        preview=_ack_preview(s, done, problems, status, headline),
        extra={"attachments": (invite,) if invite else (), "in_reply_to": message_id,
               "references": tuple(references), "auto_submitted": "auto-replied"}))


def _ack_preview(s: Stationery, done: Sequence[str], problems: Sequence[str],
                 status: dict[str, object] | None, headline: Headline | None) -> str:
    """The answer's first line: the sender's new status (the text part says it only here,
    above the marker), else the status they asked for, else what came of their lines."""
    if headline:
        return headline.sentence
    if status:
        where = (f"required at {s.starts:%H:%M}" if status["required"] else "you may stand down")
        return f"Your status for {status['day_long']}: {where}."
    if problems and not done:
        return "Your email was read, but nothing was done: please check it."
    checks = f", {len(problems)} to check" if problems else ""
    return f"Your email was read: {len(done)} done{checks}."


# " - Police: REQUIRED at 12:00", " - HIDVA: may stand down" at the end of our subjects,
# "REQUIRED 12:00 - Police - " or "Stand down - ASC - " at their start.
_STATUS_TAIL = re.compile(r"\s+-\s+[^-:]{1,60}:\s*(?:now\s+)?"
                          r"(?:REQUIRED at \d\d:\d\d|may (?:now )?stand down)[^-]{0,80}$", re.IGNORECASE)


_STATUS_HEAD = re.compile(r"(?:now\s+)?(?:REQUIRED \d\d:\d\d|Stand down)\s+-\s+[^-]{1,60}\s+-\s+",
                          re.IGNORECASE)


def fresh_subject(subject: str, directory: Directory, marking: str = "") -> str:
    """A reply's subject without the status our own email put in it: the answer must not
    keep saying "may stand down" to a partner it has just made required. The protective
    marking, where our subject carried one, stays where it was."""
    subject = subject[:400]
    prefix = _REPLY_PREFIX.match(subject)
    cut = prefix.end() if prefix else 0
    if marking and subject[cut:].casefold().startswith(f"{marking}: ".casefold()):
        cut += len(marking) + 2
    head = _STATUS_HEAD.match(subject, cut)
    if head:
        subject = subject[:cut] + subject[head.end():]
    return _STATUS_TAIL.sub("", subject).rstrip()


@dataclass(frozen=True, slots=True)
class Headline:
    """The sender's own status, said first when their email changed it."""

    sentence: str  # "HIDVA: you are now REQUIRED at 12:00 on Monday 23 November 2026 (HR-2026-0002)."
    tag: str  # for the subject, in the case call's style: "HIDVA: now REQUIRED at 12:00"


def status_headline(s: Stationery, view: DayView, partner: Partner, *, was: bool) -> Headline:
    mine = [c.reference for c in view.cases_for(partner.code)]
    name = short_name(partner)
    if mine:
        now = "" if was else "now "
        return Headline(f"{name}: you are {now}REQUIRED at {s.starts:%H:%M} on {long_day(view.day)} "
                        f"({', '.join(mine)}).", f"{name}: {now}REQUIRED at {s.starts:%H:%M}")
    now = "now " if was else ""
    return Headline(f"{name}: you may {now}stand down on {long_day(view.day)}: no case on the agenda "
                    "needs you.", f"{name}: may {now}stand down")


@dataclass(frozen=True)
class Handover:
    """What goes to the coordinators from one email: the bot's own lines about what it may not
    do itself, and the sender's words a person must read."""

    title: str
    sender: str
    subject: str
    lines: Sequence[str]
    words: Sequence[str]
    secrets: Sequence[str] = ()


def forward(s: Stationery, key: str, handover: Handover) -> Letter:
    """To the coordinators: what the bot may not do itself, and the sender's own words that a
    person must read (only what the sender newly wrote; never a quoted line)."""
    title, sender, subject, lines, words, secrets = (handover.title, handover.sender, handover.subject,
                                                     handover.lines, handover.words, handover.secrets)
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    ctx = {**s.base(), "title": title, "sender": sender, "subject": subject[:200], "lines": list(lines),
           "words": list(words)}
    return s.letter(Draft("forward", key, to, f"mailbot: {title}"[:200], ctx, secrets))


def unknown_sender(s: Stationery, reply: ReplyTo, *, coordinators: Sequence[str], public_reply: str
                   ) -> Letter:
    """The answer to someone outside the partnership: who to turn to instead, and none of
    the partners' footers, which would mean nothing to them. No reply marker either: this
    sender's replies are not read."""
    key, to, subject, message_id = reply.key, reply.to, reply.subject, reply.message_id
    ctx = {**s.base(), "marker": "", "coordinators": list(coordinators), "public_reply": public_reply}
    return s.letter(Draft(
        "unknown_sender", key, (to,), reply_subject(subject), ctx, public=True,
        preview="Your email has not been read by anyone, and no one will act on it.",
        extra={"in_reply_to": message_id, "auto_submitted": "auto-replied"}))


WRITTEN_LIMIT = 1500  # characters of a stranger's email put before the coordinators


@dataclass(frozen=True)
class Written:
    """What someone outside the partnership wrote in: who, about what, their new text."""

    sender: str
    subject: str
    text: str  # quotes already trimmed


def stranger_notice(s: Stationery, key: str, email: Written, *, answered: bool, inbound_id: int,
                    last: bool = False) -> Letter:
    """Tells the coordinators who wrote in from outside the partnership, and what they wrote
    (quotes already trimmed): it may be a concern about someone, which a person must read.
    Their words are withheld from a coordinator address that gets references only."""
    sender, subject, written = email.sender, email.subject, email.text
    text = written.strip()
    cut = len(text) > WRITTEN_LIMIT
    if cut:
        text = text[:WRITTEN_LIMIT].rsplit(" ", 1)[0]
    ctx = {**s.base(), "sender": sender, "their_subject": subject[:200], "written": text,
           "cut": cut, "limit": WRITTEN_LIMIT, "answered": answered, "inbound_id": inbound_id, "last": last}
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    return s.letter(Draft(
        "stranger_notice", key, to, "mailbot: email from an unknown sender", ctx,
        secrets=[text, subject[:200]],
        preview="An email from outside the partnership: a person must read it."))


def notice(s: Stationery, *, key: str, title: str, lines: Sequence[str], secrets: Sequence[str] = ()
           ) -> Letter:
    """A message for the coordinators; it carries only what they need to act."""
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    ctx = {**s.base(), "title": title, "lines": list(lines)}
    return s.letter(Draft(
        "notice", key, to, f"mailbot: {title}", ctx, secrets, preview=f"For the coordinators: {title}."))
