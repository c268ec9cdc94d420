"""Reply trimming: what the sender newly wrote, never the quoted copy."""

from __future__ import annotations

from mailbot.core.inbound import REPLY_MARKER
from mailbot.core.quotes import trim

BOT_COPY = """Hillingdon Multi-Agency High Risk Case Discussion
Case call for Monday 23 November 2026
  HR-2026-0041  T.W.  threats to neighbour
"""


def test_top_posted_outlook_reply_stops_at_the_header_block() -> None:
    body = f"Case: A.B. - new concern\n\nFrom: Bot <bot@x.example>\nSent: 23 November 2026 10:00\nTo: Police\nSubject: Case call\n\n{BOT_COPY}"
    got = trim(body)
    assert got.text == "Case: A.B. - new concern"
    assert got.cut_reason == "header block"


def test_welsh_outlook_header_is_recognised() -> None:
    body = f"Diolch\n\nOddi wrth: Bot <bot@x.example>\nAnfonwyd: 23 Tachwedd 2026 10:00\nAt: Heddlu\nPwnc: Case call\n\n{BOT_COPY}"
    assert trim(body).text == "Diolch"


def test_german_header_and_wrapped_gmail_attribution() -> None:
    german = f"Ok\n\nVon: Bot\nGesendet: Montag\nAn: CNWL\nBetreff: x\n\n{BOT_COPY}"
    assert trim(german).text == "Ok"
    gmail = f"Ok\n\nOn Mon, 23 Nov 2026 at 10:00, Bot <\nbot@x.example> wrote:\n\n> {BOT_COPY}"
    assert trim(gmail).text == "Ok"


def test_a_header_under_text_ends_the_reply_even_before_marked_quotes() -> None:
    body = "Partners for HR-2026-0041: SPA\n\nOn 23/11/2026 10:00, Bot wrote:\n> Case: X.Y. - old\nmore history"
    assert trim(body).text == "Partners for HR-2026-0041: SPA"


def test_bottom_posted_answer_below_a_marked_quote_is_read() -> None:
    body = "On 23/11/2026 10:00, Bot wrote:\n> Cases for today\n> HR-2026-0041\n\nPartners for HR-2026-0041: CNWL"
    assert trim(body).text == "Partners for HR-2026-0041: CNWL"


def test_quoted_lines_are_never_kept() -> None:
    assert trim("> Case: X.Y. - old\nNew text\n>> deeper").text == "New text"


def test_the_bots_own_lines_cut_even_with_no_header() -> None:
    body = f"Case: B.B. - new\n{REPLY_MARKER}\n{BOT_COPY}"
    got = trim(body, fingerprints=(REPLY_MARKER,))
    assert got.text == "Case: B.B. - new"
    assert got.cut_reason == "own email"


def test_signature_delimiter_and_mobile_taglines_are_dropped() -> None:
    assert trim("Yes please\n\nSent from my iPhone").text == "Yes please"
    assert trim("Fine\nGet Outlook for Android").text == "Fine"
    assert trim("Fine\n-- \nJane Smith\nDS, MASH").text == "Fine"


def test_external_banner_at_the_top_is_dropped() -> None:
    body = ("CAUTION: This email originated from outside of the organisation. Do not click links "
            "unless you recognise the sender.\n\nCase: U.V. - concern")
    assert trim(body).text == "Case: U.V. - concern"


def test_disclaimer_under_the_text_is_dropped() -> None:
    body = "Case: U.V. - concern\n\nThis email and any attachments are confidential and intended solely for the addressee."
    assert trim(body).text == "Case: U.V. - concern"


def test_forward_with_nothing_above_reads_the_forwarded_text() -> None:
    body = "---------- Forwarded message ---------\nFrom: GP <gp@x.example>\nDate: Mon, 23 Nov 2026\nSubject: referral\nTo: me\n\nPlease discuss at the meeting."
    assert trim(body).text == "Please discuss at the meeting."


def test_a_prose_line_starting_with_from_is_not_a_header() -> None:
    body = "From: the school, concerns about attendance\nCase: A.A. - school concerns"
    assert trim(body).text == body


def test_text_ending_in_a_date_is_not_mistaken_for_an_attribution() -> None:
    body = "Seen on 12/11/2026.\nOn Monday I spoke to the GP\nCase: C.C. - concern"
    assert trim(body).text == body


def test_huge_lines_and_deep_quotes_are_handled() -> None:
    body = "x" * 1_000_000 + "\n" + ">" * 10_000 + " quoted\nCase: D.D. - ok"
    got = trim(body)
    assert got.text.endswith("Case: D.D. - ok")
    assert ">" * 100 not in got.text
