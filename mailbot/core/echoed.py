"""A sender's own words as the bot's answers may echo them: line by line, withheld where they
say something about a person, and capped where they are forwarded."""

from __future__ import annotations

from collections.abc import Sequence

from mailbot.core.model import ActionUpdate, AddAction, AddCase, Apologies, DecideCase, Reading, WithdrawCase
from mailbot.core.privacy import says_nothing

# Characters of a sender's prose quoted to the coordinators; the rest stays in the mailbox.
FORWARD_LIMIT = 6000


def capped(lines: Sequence[str], limit: int, inbound_id: int) -> list[str]:
    """The first ``limit`` characters of ``lines``, saying where the rest is."""
    out: list[str] = []
    left = limit
    for line in lines:
        if len(line) > left:
            out.append(line[:left] + " [...]")
            out.append(f"(cut here: the whole email is kept as inbound #{inbound_id} and in the "
                       "bot's processed folder)")
            break
        out.append(line)
        left -= len(line)
    return out


def sender_words(reading: Reading, safe_words: frozenset[str]) -> list[str]:
    """What the sender wrote about a person, line by line and field by field: withheld wherever
    it would be echoed to an address that may not see case details. A line of only grammar
    and partner names ("Partners: Police", a signature "HIDVA") says nothing about anyone."""
    words = [line.strip() for line in reading.new_text.splitlines()
             if len(line.strip()) >= 2 and not says_nothing(line, safe_words)]
    for command in reading.commands:
        if isinstance(command, AddCase):
            words += [command.subject, command.concern]
        elif isinstance(command, AddAction):
            words.append(command.text)
        elif isinstance(command, ActionUpdate):
            words.append(command.note)
        elif isinstance(command, DecideCase):
            words.append(command.rationale)
        elif isinstance(command, Apologies | WithdrawCase):
            words.append(command.reason)
    words += list(reading.for_coordinators)
    return [w for w in words if len(w.strip()) >= 2 and not says_nothing(w, safe_words)]
