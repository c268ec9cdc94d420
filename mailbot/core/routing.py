"""Which meeting an inbound email is for, when one mailbox serves several.

Read as a table, first row that decides wins:

1. ``only meeting``: a deployment of one meeting routes everything to it, as it always did;
2. ``thread``: the bot's own email it answers (In-Reply-To / References) was sent for a meeting;
3. ``reference``: the case references the sender wrote carry one meeting's prefix (HR-, CCP-),
   and so do the cases of the actions they name (A-12);
4. ``subject``: the subject names one meeting, by its name or its id;
5. ``sender``: the sender is a member of one meeting only.

A member of several meetings whose email names none is asked which meeting it is for; the
bot never guesses. A partner that is a member of none is read for the first meeting, as
before (it is an outsider there, never a coordinator). Pure: the caller looks the thread
up in the outbox and hands over what it found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mailbot.core.readers import quoted

# A case reference as typed, for its prefix only ("hr-2026-41", "CCP - 2026 - 0007").
_ANY_REFERENCE = re.compile(r"(?<![A-Za-z])([A-Za-z]{1,6})\s?-\s?\d{4}\s?-\s?\d{1,4}\b")

_ACTION_ID = re.compile(r"(?<![\w-])A-(\d{1,7})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A meeting as routing sees it."""

    id: str
    name: str
    prefix: str  # its case reference prefix


@dataclass(frozen=True, slots=True)
class Clues:
    """What an email says about its meeting."""

    thread: str | None = None  # the meeting of the bot's email it answers
    prefixes: tuple[str, ...] = ()  # the prefixes of the case references the sender wrote
    subject: str = ""


@dataclass(frozen=True, slots=True)
class Route:
    """Where an email goes: a meeting, or a question back to the sender (``ask``)."""

    meeting: str | None
    by: str  # which row decided: "only meeting", "thread", "reference", "subject", "sender", ...
    ask: str = ""  # the question for the sender when no meeting can be told

    @property
    def asking(self) -> bool:
        return self.meeting is None


def prefixes_in(text: str) -> tuple[str, ...]:
    """The prefixes of every case reference in ``text``, upper case, once each, in order."""
    return tuple(dict.fromkeys(m.upper() for m in _ANY_REFERENCE.findall(text)))


def action_ids_in(text: str) -> tuple[int, ...]:
    """The action ids written in their own form (``A-12``), once each, in order: an action
    belongs to one case, so its case's meeting is the action's."""
    return tuple(dict.fromkeys(int(n) for n in _ACTION_ID.findall(text)))


def named_in(subject: str, rooms: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """The meetings a subject names, ignoring case: by name, else by id as a whole word (an
    id may be a common word, "daily", that a name holds). A name inside a longer name that
    is also there ("Panel" in "Complex Case Panel") counts once, as the longer."""
    folded = " ".join(subject.split()).casefold()

    def name(r: Candidate) -> str:
        return " ".join(r.name.split()).casefold()

    by_name = [r for r in rooms if name(r) and name(r) in folded]
    if by_name:
        return tuple(r for r in by_name if not any(name(r) in name(o) and name(r) != name(o)
                                                   for o in by_name))
    return tuple(r for r in rooms if re.search(rf"(?<!\w){re.escape(r.id.casefold())}(?!\w)", folded))


def route(clues: Clues, rooms: Sequence[Candidate], senders: Sequence[str], wrote: str = "") -> Route:
    """The meeting an email is for, from ``clues``, among ``rooms`` (in config order, at
    least one); ``senders`` are the ids of the meetings its sender is a member of;
    ``wrote`` is what the sender newly wrote, quoted back if they are asked."""
    ids = [r.id for r in rooms]
    if len(rooms) == 1:
        return Route(rooms[0].id, "only meeting")
    if clues.thread in ids:
        return Route(clues.thread, "thread")
    by_prefix = {r.id for p in clues.prefixes for r in rooms if r.prefix.casefold() == p.casefold()}
    if len(by_prefix) == 1:
        return Route(by_prefix.pop(), "reference")
    if len(by_prefix) > 1:
        named = [r for r in rooms if r.id in by_prefix]
        return Route(None, "several references", question(rooms, senders, wrote, named))
    in_subject = named_in(clues.subject, rooms)
    if len(in_subject) == 1:
        return Route(in_subject[0].id, "subject")
    if len(senders) == 1:
        return Route(senders[0], "sender")
    if not senders:
        return Route(rooms[0].id, "first meeting")
    return Route(None, "several meetings", question(rooms, senders, wrote))


def question(rooms: Sequence[Candidate], senders: Sequence[str], wrote: str,
             named: Sequence[Candidate] = ()) -> str:
    """What a member of several meetings is asked: which one the email is for, and how to
    say so next time. Only the sender's own words are quoted."""
    theirs = [r for r in rooms if r.id in senders] or list(rooms)
    lines = [line.strip() for line in wrote.splitlines() if line.strip()]
    said = f" ({'; '.join(quoted(line, 80) for line in lines[:3])}{'; …' if len(lines) > 3 else ''})" \
        if lines else ""
    why = (f"it names cases of more than one meeting ({', '.join(r.name for r in named)})" if named
           else "it does not say which meeting it is for")
    examples = ", ".join(f"{r.prefix}-2026-0041 for the {r.name}" for r in theirs)
    return (f"Your email{said} was not applied: {why}, and you are a member of "
            f"{', '.join(r.name for r in theirs)}. Please reply to that meeting's own email, or "
            f"write the case reference ({examples}), one email per meeting.")
