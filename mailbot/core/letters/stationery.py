"""What every letter of one meeting shares, and how days and subjects are written."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, time, tzinfo
from functools import cached_property

from mailbot.core.compose import Letter, Render
from mailbot.core.directory import Directory, short_name
from mailbot.core.inbound import REPLY_MARKER
from mailbot.core.privacy import WITHHELD, WITHHELD_ROUTE, ContentPolicy, Level, scrub_text, withhold


@dataclass(frozen=True)
class Draft:
    """A letter before its recipients decide how much of a case it may carry."""

    template: str
    key: str
    to: Sequence[str]
    subject: str
    context: dict[str, object]
    secrets: Sequence[str] = ()  # details a partner wrote that are withheld too
    route: bool = False  # about actions, read after the call: say how to get the details
    public: bool = False  # to someone outside the partnership: no partners' footers, no marking
    preview: str = ""  # what the recipient must know first; the subject when empty
    extra: Mapping[str, object] = field(default_factory=dict)  # threading, attachments, ...


@dataclass(frozen=True)
class Stationery:
    """What every letter of one meeting shares."""

    render: Render
    directory: Directory
    bot_name: str
    bot_address: str
    meeting_id: str
    meeting_name: str
    starts: time
    cutoff: time
    dial_in: str
    policy: ContentPolicy = field(default_factory=ContentPolicy)
    confidentiality: str = ""
    marking: str = ""  # the protective marking, e.g. OFFICIAL-SENSITIVE: top of the body and subject
    join_url: str = ""  # the online meeting's link, in the letters and the invitation
    zone: tzinfo = UTC  # the meeting's time zone, for the invitation's start time

    @cached_property
    def safe_words(self) -> frozenset[str]:
        """Words that say nothing about a person: the partners' names, codes and aliases.
        Worked out once: every letter to an address at the reference level asks, and the
        directory does not change under the stationery."""
        names = [n for p in self.directory for n in (p.code, p.name, *p.aliases)]
        return frozenset(w.casefold() for n in names for w in re.findall(r"[^\s:|,;.()\-–—]+", n))

    @property
    def bot_line(self) -> str:
        return f"This email is from the {self.bot_name} mailbox ({self.bot_address})."

    @property
    def fingerprints(self) -> tuple[str, ...]:
        """Lines that start every letter: seeing one in a reply means the quote began."""
        return (REPLY_MARKER, self.bot_line)

    def base(self, day: date | None = None) -> dict[str, object]:
        return {
            "marker": REPLY_MARKER,
            "bot_line": self.bot_line,
            "meeting": self.meeting_name,
            "day_long": day_words(day) if day else "",
            "starts": f"{self.starts:%H:%M}",
            "cutoff": f"{self.cutoff:%H:%M}",
            "dial_in": self.dial_in,
            "join_url": self.join_url,
            "invitation": False,
        }

    def names(self, codes: Sequence[str]) -> list[str]:
        """Short names, in directory order: every letter lists partners the same way."""
        wanted = set(codes)
        return [short_name(p) for p in self.directory if p.code in wanted]

    def _footer(self, level: Level, routed: bool, public: bool) -> list[str]:
        """Why details are missing (where they are), then the confidentiality statement;
        nothing for someone outside the partnership."""
        if public:
            return []
        note = ROUTE_NOTE if routed else REFERENCE_NOTE
        return [*([note] if level is Level.REFERENCE else []),
                *([self.confidentiality] if self.confidentiality else [])]

    def letter(self, draft: Draft) -> Letter:
        """Every letter passes here: its recipients decide how much of a case it carries
        and whether its subject is tagged; every letter ends with the confidentiality
        statement. ``secrets`` are details a partner wrote that are withheld too.

        ``route``: a letter about actions, read after the call; where it carries references
        only, it says how to get the details (``secure_route``) instead of "read on the call".
        ``public``: to someone outside the partnership, with none of the partners' footers
        and no protective marking.
        ``preview`` is what the partner must know first (their status, what is due): the
        first line of the text part and the HTML's hidden preheader, which mail clients
        show in their lists beside the subject.
        """
        to, subject, context, secrets = draft.to, draft.subject, draft.context, draft.secrets
        level = self.policy.level(to)
        routed = draft.route and level is Level.REFERENCE
        preview = draft.preview or subject
        if level is Level.REFERENCE:
            context = withhold(context, secrets, self.safe_words,
                               WITHHELD_ROUTE if routed else WITHHELD)
            subject = scrub_text(subject, secrets)
            preview = scrub_text(preview, secrets)
        footer = self._footer(level, routed, draft.public)
        marking = "" if draft.public else self.marking
        context = {**context, "level": level.value, "confidentiality": self.confidentiality,
                   "secure_route": self.policy.secure_route if routed else "",
                   "footer": footer, "preview": preview, "marking": marking}
        subject = mark(subject, marking)
        tag = self.policy.tag(to)
        if tag and tag.casefold() not in subject.casefold():
            subject = f"{tag} {subject}"
        text = self.render(f"{draft.template}.txt", context)
        html = self.render(f"{draft.template}.html", context)
        # The status first, where a list of emails shows it; the reply marker stays above
        # everything else the bot wrote, so a quoted copy is still cut at its top.
        text = "\n".join([preview, *([marking] if marking else []), "", text])
        if footer:
            text = text.rstrip("\n") + "\n\n-- \n" + "\n\n".join(footer) + "\n"
        return Letter(key=draft.key, to=tuple(to), subject=subject, text=text, html=html,
                      meeting=self.meeting_id, **draft.extra)  # type: ignore[arg-type]


_REPLY_PREFIX = re.compile(r"^(?:(?:re|fw|fwd|aw|sv)\s*:\s*)*", re.IGNORECASE)


def mark(subject: str, marking: str) -> str:
    """The subject with the protective marking in front ("OFFICIAL-SENSITIVE: ..."), after
    any "Re:" so that mail clients still thread it; once, however often it is replied to."""
    if not marking or marking.casefold() in subject.casefold():
        return subject
    found = _REPLY_PREFIX.match(subject)
    head = found.group(0) if found else ""  # the pattern also matches no prefix
    return f"{head}{marking}: {subject[len(head):]}"


def is_late(subject: str) -> bool:
    """Whether a case call's subject already says it is late (it is rewritten only once)."""
    return " - LATE case call " in subject


REFERENCE_NOTE = ("Case details are not sent to your email address under the information sharing "
                  "agreement: only case references are given here, and details are read out on the call.")


ROUTE_NOTE = ("Case and action details are not sent to your email address under the information "
              "sharing agreement: only references are given here.")


def long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def day_words(day: date) -> str:
    """A meeting day as GOV.UK style writes it: "Monday 23 November"."""
    return f"{day:%A} {day.day} {day:%B}"


def brief_day(day: date) -> str:
    """A meeting day in a subject, where every character counts: "Mon 23 Nov"."""
    return f"{day:%a} {day.day} {day:%b}"


def short_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"
