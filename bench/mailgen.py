"""Realistic partner replies for the benchmarks: 2-20 KB, a third HTML-only, some with
attachments, each quoting the bot's case call the way Outlook or Gmail does."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from tests.rig.received import arrived

PARTNERS = ["mash@met.police.example", "cnwl.highrisk@cnwl.example", "spa@cnwl.example",
            "referrals@hidva.example", "safeguarding@thh.example", "asbit@hillingdon.example",
            "childrensmash@hillingdon.example", "communitysafety@hillingdon.example"]
BOT = "highrisk-bot@hillingdon.example"
CONCERNS = ["threats to neighbour with a knife", "missed three depot injections",
            "perpetrator released from custody", "cuckooing of a vulnerable adult",
            "repeat missing episodes", "financial abuse by a carer"]

CASE_LINE = ("  HR-2026-{n:04d}  {i}  {c}\n"
             "      referred by Metropolitan Police; required: Police, CSC, ASBIT\n")


def _quoted_call(rng: random.Random, size: int) -> str:
    head = ("## Please reply above this line ##\nThis email is from the Hillingdon High Risk Case "
            "Discussion mailbox (highrisk-bot@hillingdon.example).\n\nHillingdon Multi-Agency High Risk "
            "Case Discussion\nCase call for Monday 23 November 2026 - meeting at 12:00\n\nCases:\n")
    lines = [head]
    n = 1
    while sum(len(x) for x in lines) < size:
        lines.append(CASE_LINE.format(n=n, i=f"{chr(65 + n % 26)}.{chr(66 + n % 20)}.",
                                      c=rng.choice(CONCERNS)))
        n += 1
    return "".join(lines)


def _new_text(rng: random.Random, k: int) -> str:
    roll = rng.random()
    if roll < 0.1:
        return (f"Case: {chr(65 + k % 26)}.{chr(65 + (k // 26) % 26)}. - {rng.choice(CONCERNS)}\n"
                "Partners: Police, Children's Services\n")
    if roll < 0.4:
        return f"Partners for HR-2026-{rng.randint(1, 40):04d}: CNWL, SPA\n"
    return "Nothing further from us today, thanks.\n"


def reply(k: int, rng: random.Random, *, attachment: int = 0) -> bytes:
    sender = rng.choice(PARTNERS)
    size = rng.randint(1_500, 18_000)
    new = _new_text(rng, k)
    sig = "\nKind regards\nMASH\n\nThis email and any attachments are confidential.\n"
    quote = ("\nFrom: Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example>\n"
             "Sent: 23 November 2026 10:00\nTo: partner\nSubject: Case call\n\n" + _quoted_call(rng, size))
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = "RE: Case call Mon 23 Nov 2026: 3 cases"
    msg["Message-ID"] = f"<bench-{k}-{rng.getrandbits(40):x}@partner.example>"
    msg["Date"] = format_datetime(datetime(2026, 11, 23, 10, 30, tzinfo=UTC))
    if k % 3 == 0:  # a third are HTML-only, Outlook style
        html = ("<html><body><div>" + new.replace("\n", "<br>") + sig.replace("\n", "<br>")
                + "</div><div id=\"divRplyFwdMsg\">" + quote.replace("\n", "<br>") + "</div></body></html>")
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(new + sig + quote)
    if attachment:
        msg.add_attachment(rng.randbytes(attachment), maintype="application", subtype="pdf",
                           filename="referral.pdf")
    return msg.as_bytes()


def backlog(n: int, seed: int = 7, big: int = 0, big_size: int = 10_000_000) -> list[bytes]:
    """``n`` replies; one in ten carries a small attachment, ``big`` carry ``big_size`` bytes.
    They go straight into the mailbox, so each is stamped as the receiving server would."""
    rng = random.Random(seed)
    big_at = set(rng.sample(range(n), big)) if big else set()
    out = []
    for k in range(n):
        size = big_size if k in big_at else (rng.randint(20_000, 200_000) if k % 10 == 5 else 0)
        out.append(arrived(reply(k, rng, attachment=size)))
    return out
