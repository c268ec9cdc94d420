"""The two letters about an email from outside the partnership, rendered as sent.

The expected texts in tests/data/letters were written by hand: what a member of the
public should read, and what a coordinator needs to act on what they wrote.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from zoneinfo import ZoneInfo

from mailbot.adapters.templates import renderer
from mailbot.config import Settings
from mailbot.core import letters
from mailbot.core.compose import build
from mailbot.core.privacy import ContentPolicy, Level
from tests.conftest import DATA

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London"))
WRITTEN = ("Hello,\n\nThe man at number 4, J.J., shouts at his children every night and I heard\n"
           "something break yesterday. I don't know who else to tell.\n\nMary")


def stationery(settings: Settings, secure: tuple[str, ...] | None = None) -> letters.Stationery:
    m, p = settings.meeting, settings.privacy
    policy = ContentPolicy(p.secure_domains if secure is None else secure, Level(p.default_level),
                           p.subject_tags)
    return letters.Stationery(renderer(), settings.directory, settings.bot.display_name, settings.bot.address,
                              m.id, m.name, m.starts, m.cutoff, m.dial_in, policy, p.confidentiality)


def golden(name: str) -> str:
    return (DATA / "letters" / name).read_text(encoding="utf-8")


def test_a_member_of_the_public_is_told_who_to_turn_to_without_the_partners_footers(
        settings: Settings) -> None:
    s = stationery(settings)
    letter = letters.unknown_sender(s, letters.ReplyTo(key="error:1", to="worried.neighbour@mail.example", subject="J.J. next door", message_id="<m1@mail.example>"), coordinators=["adultmash@hillingdon.example"], public_reply=settings.bot.public_reply)
    assert letter.text == golden("unknown_sender.txt")
    assert "01895 556633" in letter.html and "01895 556006" in letter.html
    for footer in ("Case details are not sent", "OFFICIAL-SENSITIVE", "information sharing"):
        assert footer not in letter.text and footer not in letter.html
    _, raw = build(letter, from_address=s.bot_address, from_name=s.bot_name, now=NOW)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "Re: J.J. next door" and msg["To"] == "worried.neighbour@mail.example"
    assert msg["In-Reply-To"] == "<m1@mail.example>" and msg["Auto-Submitted"] == "auto-replied"


def test_the_coordinators_read_what_the_stranger_wrote(settings: Settings) -> None:
    letter = letters.stranger_notice(stationery(settings), "n:1", letters.Written(sender="worried.neighbour@mail.example", subject="J.J. next door", text=WRITTEN), answered=True, inbound_id=7)
    assert letter.to == ("adultmash@hillingdon.example",)
    assert letter.subject == "mailbot: email from an unknown sender"
    assert letter.text == golden("stranger_notice.txt")
    assert "J.J., shouts at his children" in letter.html


def test_a_coordinator_address_sent_references_only_does_not_get_their_words(settings: Settings) -> None:
    s = stationery(settings, secure=("met.police.example",))  # the coordinators' domain is not listed
    letter = letters.stranger_notice(s, "n:3", letters.Written(sender="worried.neighbour@mail.example", subject="J.J. next door", text=WRITTEN), answered=False, inbound_id=7, last=True)
    assert letter.text == golden("stranger_notice_reference.txt")
    assert "J.J." not in letter.html and "shouts" not in letter.html


def test_a_long_email_is_cut_at_a_word_and_says_so(settings: Settings) -> None:
    long = "word " * 1000
    letter = letters.stranger_notice(stationery(settings), "n:1", letters.Written(sender="a@mail.example", subject="s", text=long), answered=True, inbound_id=1)
    shown = letter.text.split("quoted text left out:\n")[1].split("\n\n")[0]
    assert "What they wrote (the first 1500 characters), quoted text left out:" in letter.text
    assert len(shown) < 1510 and shown.rstrip().endswith("word")
