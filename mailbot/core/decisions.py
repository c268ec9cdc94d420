"""The decision words a meeting may record, and what each means.

Pure. A meeting names the words it uses (``decisions`` in its config), chosen from the
words the bot knows, because each has a consequence: ``declined`` and ``closed`` close the
case, ``accepted`` keeps it open, and ``strategy discussion`` records that the threshold for
a joint investigation is met (the case stays open; the summary and the case's history say so).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailbot.core.model import Command, DecideCase, Decision

DECISION_WORDS = tuple(d.value for d in Decision)

# What a decision word means, where the word alone does not say it.
MEANING = {Decision.STRATEGY: "the threshold for a joint investigation is met"}

# Longest first, so "strategy discussion" is not cut to "strategy".
_WORD = re.compile(
    r"^\s*(" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in
                        sorted(DECISION_WORDS, key=len, reverse=True)) + r")\b[\s.,:;\-–—]*(.*)$",
    re.IGNORECASE | re.DOTALL)


def read_decision(rest: str) -> tuple[Decision | None, str]:
    """The decision a ``Decision <ref>:`` line names, and the rationale after it."""
    m = _WORD.match(rest)
    if m is None:
        return None, rest.strip()
    return Decision(" ".join(m[1].split()).casefold()), m[2].strip(" -–—:")


def needs_reason(decision: Decision) -> bool:
    """Every decision but ``accepted`` is recorded with why."""
    return decision is not Decision.ACCEPTED


def described(decision: str) -> str:
    """A decision as the summary and the case's history show it."""
    meaning = MEANING.get(Decision(decision)) if decision in DECISION_WORDS else None
    return f"{decision} ({meaning})" if meaning else decision


def not_allowed(commands: Sequence[Command], allowed: Sequence[str]
                ) -> tuple[list[Command], list[str]]:
    """The commands without the decisions this meeting does not use, and a problem for each."""
    kept: list[Command] = []
    problems: list[str] = []
    for command in commands:
        if isinstance(command, DecideCase) and command.decision.value not in allowed:
            problems.append(f"line {command.line}: {command.case}: '{command.decision.value}' is not a "
                            f"decision of this meeting (use {', '.join(allowed)}); not recorded")
        else:
            kept.append(command)
    return kept, problems
