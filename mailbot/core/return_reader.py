"""``Return <ref>: <what is missing>``: the chair sends a referral back for more information.

Strict and for coordinators only, like a decision: it takes a case off an agenda and tells
the referrer, so a malformed line is told back, never guessed.
"""

from __future__ import annotations

from mailbot.core.model import ReturnCase
from mailbot.core.readers import Parse


def returned(p: Parse, ref: str, missing: str | None, line: int) -> None:
    if not p.coordinator_only(line, "return referrals"):
        return
    case = p.reference(ref, line)
    if case is None:
        return
    what = (missing or "").strip(" -–—:.")
    if not what:
        p.clarify(line, p.said, f"Return {case}: <what is missing>",
                  "the referrer must be told what is missing")
        return
    p.commands.append(ReturnCase(case, what, line))
