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
    Stationery,
    long_day,
)
from mailbot.core.model import Partner


def acknowledgement(s: Stationery, *, key: str, to: str, subject: str, message_id: str | None,
                    references: Sequence[str], done: Sequence[str], problems: Sequence[str],
                    status: dict[str, object] | None, secrets: Sequence[str] = (),
                    read_as: Sequence[str] = (), headline: Headline | None = None, forwarded: bool = False,
                    only_forwarded: bool = False, invite: Attachment | None = None) -> Letter:
    """The answer to a partner's email: the sender's status first when the email changed it,
    what was done, how lenient lines were read, what was not done and why, and whether a
    person will pick the rest up."""
    ctx = {**s.base(), "done": list(done), "problems": list(problems), "status": status,
           "read_as": list(read_as), "headline": headline.sentence if headline else "",
           "forwarded": forwarded, "only_forwarded": only_forwarded}
    subject = fresh_subject(subject, s.directory, s.marking)
    if headline:
        subject = f"{subject} - {headline.tag}"
    return s.letter("ack", key, (to,), reply_subject(subject), ctx, secrets,
                    preview=_ack_preview(s, done, problems, status, headline),
                    attachments=(invite,) if invite else (), in_reply_to=message_id,
                    references=tuple(references),
                    auto_submitted="auto-replied")


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


def forward(s: Stationery, *, key: str, title: str, sender: str, subject: str, lines: Sequence[str],
            words: Sequence[str], secrets: Sequence[str]) -> Letter:
    """To the coordinators: what the bot may not do itself, and the sender's own words that a
    person must read (only what the sender newly wrote; never a quoted line)."""
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    ctx = {**s.base(), "title": title, "sender": sender, "subject": subject[:200], "lines": list(lines),
           "words": list(words)}
    return s.letter("forward", key, to, f"mailbot: {title}"[:200], ctx, secrets)


def unknown_sender(s: Stationery, *, key: str, to: str, subject: str, message_id: str | None,
                   coordinators: Sequence[str], public_reply: str) -> Letter:
    """The answer to someone outside the partnership: who to turn to instead, and none of
    the partners' footers, which would mean nothing to them. No reply marker either: this
    sender's replies are not read."""
    ctx = {**s.base(), "marker": "", "coordinators": list(coordinators), "public_reply": public_reply}
    return s.letter("unknown_sender", key, (to,), reply_subject(subject), ctx, public=True,
                    preview="Your email has not been read by anyone, and no one will act on it.",
                    in_reply_to=message_id, auto_submitted="auto-replied")


WRITTEN_LIMIT = 1500  # characters of a stranger's email put before the coordinators


def stranger_notice(s: Stationery, *, key: str, sender: str, subject: str, written: str,
                    answered: bool, inbound_id: int, last: bool = False) -> Letter:
    """Tells the coordinators who wrote in from outside the partnership, and what they wrote
    (quotes already trimmed): it may be a concern about someone, which a person must read.
    Their words are withheld from a coordinator address that gets references only."""
    text = written.strip()
    cut = len(text) > WRITTEN_LIMIT
    if cut:
        text = text[:WRITTEN_LIMIT].rsplit(" ", 1)[0]
    ctx = {**s.base(), "sender": sender, "their_subject": subject[:200], "written": text,
           "cut": cut, "limit": WRITTEN_LIMIT, "answered": answered, "inbound_id": inbound_id, "last": last}
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    return s.letter("stranger_notice", key, to, "mailbot: email from an unknown sender", ctx,
                    secrets=[text, subject[:200]],
                    preview="An email from outside the partnership: a person must read it.")


def notice(s: Stationery, *, key: str, title: str, lines: Sequence[str], secrets: Sequence[str] = ()
           ) -> Letter:
    """A message for the coordinators; it carries only what they need to act."""
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    ctx = {**s.base(), "title": title, "lines": list(lines)}
    return s.letter("notice", key, to, f"mailbot: {title}", ctx, secrets,
                    preview=f"For the coordinators: {title}.")
