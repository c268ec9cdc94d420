"""Reply trimming: what the sender newly wrote, never the quoted copy."""

from __future__ import annotations

from mailbot.core.inbound import REPLY_MARKER
from mailbot.core.quotes import trim

BOT_COPY = """Hillingdon Multi-Agency High Risk Case Discussion
Case call for Monday 23 November 2026
  HR-2026-0041  T.W.  threats to neighbour
"""


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines())


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
    gmail = f"Ok\n\nOn Mon, 23 Nov 2026 at 10:00, Bot <\nbot@x.example> wrote:\n\n{_quoted(BOT_COPY)}"
    assert trim(gmail).text == "Ok"


def test_a_header_under_text_introducing_marked_quotes_hides_nothing_and_reads_no_quote() -> None:
    body = "Partners for HR-2026-0041: SPA\n\nOn 23/11/2026 10:00, Bot wrote:\n> Case: X.Y. - old\n> more history"
    got = trim(body)
    assert got.text == "Partners for HR-2026-0041: SPA"
    assert got.cut_at is None  # nothing the sender wrote lies unread below


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


# Inline replies: text typed between ">" lines under an attribution is the sender's.

CASE_CALL_QUOTE = """On Mon, 23 Nov 2026 at 10:00, Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example> wrote:
> ## Please reply above this line ##
>
> Cases for today (2)
>   HR-2026-0041  T.W.  threats to neighbour (referred by Police)
>                 required: Police, Children's Social Services, ASBIT"""


def test_text_typed_between_quoted_lines_under_an_attribution_is_read() -> None:
    body = (
        "Answers below.\n\nOn 23/11/2026 10:00, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Can CNWL join for T.W.?\n\nYes, our duty worker will join.\n\n"
        "> Any new cases from you?\n\nCase: R.S. - self-neglect, hoarding, fire risk\n"
    )
    assert trim(body).text == (
        "Answers below.\n\nYes, our duty worker will join.\n\nCase: R.S. - self-neglect, hoarding, fire risk"
    )


def test_an_answer_typed_under_the_last_quoted_line_is_read() -> None:
    body = f"Hi,\n\n{CASE_CALL_QUOTE}\n\nPartners for HR-2026-0041: HIDVA\n"
    assert trim(body).text == "Hi,\n\nPartners for HR-2026-0041: HIDVA"


def test_an_instruction_glued_under_a_long_quoted_line_is_read() -> None:
    # Thunderbird splits the quote where the cursor is: no blank line on either side.
    body = (
        "On 23/11/2026 10:00, Bot wrote:\n"
        "> May stand down: Adult Social Care, CCG, HIDVA, THH, Community Safety\n"
        "Case: K.L. - cuckooing, vulnerable adult\n"
        "> How to reply (above this line):\n"
    )
    assert trim(body).text == "Case: K.L. - cuckooing, vulnerable adult"


def test_an_answer_glued_under_a_quoted_question_is_read() -> None:
    body = (
        "Thanks\n\nOn 23/11/2026 10:00, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Is anyone from the housing team able to attend the discussion at 12:00 today?\n"
        "yes, the tenancy officer will dial in\n"
    )
    assert trim(body).text == "Thanks\n\nyes, the tenancy officer will dial in"


def test_an_unmarked_line_equal_to_a_quoted_line_is_not_read() -> None:
    body = (
        "Agreed.\n\nOn 23/11/2026 10:00, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Case: T.W. - threats to neighbour, knife seen\n> Partners: ASBIT\n\n"
        "Case: T.W. - threats to neighbour, knife seen\n"
    )
    assert trim(body).text == "Agreed."


def test_lines_known_to_be_someone_elses_are_not_read_once_the_quote_has_begun() -> None:
    colleague = "Case: T.W. - threats to neighbour, knife seen\nPartners: ASBIT"
    body = (
        "Partners: ASBIT\n\nOn 23/11/2026 10:00, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Thanks all\n\nPartners: ASBIT\nWe will check the CCTV.\n"
    )
    # Above the quote the sender's own line stands, even if a known email holds it.
    assert trim(body, known=(colleague,)).text == "Partners: ASBIT\n\nWe will check the CCTV."
    assert trim(body).text == "Partners: ASBIT\n\nPartners: ASBIT\nWe will check the CCTV."


def test_the_unmarked_rest_of_a_rewrapped_quoted_line_is_not_read() -> None:
    body = (
        "Noted.\n\nOn 23/11/2026 10:00, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> The neighbour reported that T.W. was seen with a knife on the stairwell of\n"
        "the block on Sunday night\n"
        "> and again on Monday.\n"
    )
    assert trim(body).text == "Noted."


def test_a_rewrapped_paragraph_left_unmarked_over_several_lines_is_not_read() -> None:
    body = (
        "See you at 12.\n\nOn 23/11/2026 10:00, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> We had three calls from the neighbours this week and the housing officer says that\n"
        "the tenant has not answered the door since Thursday, which is unusual for him and is a\n"
        "Case: for the agenda in our view.\n"
        ">\n> Jane\n"
    )
    # The third line is shaped like an instruction but goes on with the quoted sentence;
    # only a line typed straight under a quoted line is given that benefit.
    assert trim(body).text == "See you at 12."


def test_a_short_tail_after_a_quoted_line_stopping_on_a_comma_is_not_read() -> None:
    body = (
        "Ok\n\nOn 23/11/2026 10:00, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Required at 12:00: Police, Children's Social Services, ASBIT, CNWL,\n"
        "SPA and HIDVA\n"
    )
    assert trim(body).text == "Ok"


def test_an_unmarked_line_glued_under_a_quote_of_a_quote_is_not_read() -> None:
    body = (
        "Fine by us.\n\nOn 23/11/2026 10:05, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Police will attend.\n>\n> On 23/11/2026 10:00, Bot wrote:\n"
        ">> Cases for today (2)\nTuesday is a bank holiday\n>> HR-2026-0041\n"
    )
    assert trim(body).text == "Fine by us."


def test_an_attribution_split_by_a_rewrap_is_not_read() -> None:
    body = (
        "Fine.\n\nOn 23/11/2026 10:05, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Police will attend.\n>\n"
        "> On Mon, 23 Nov 2026 at 10:00, Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example>\n"
        "wrote:\n>> Cases for today (2)\n"
    )
    assert trim(body).text == "Fine."


def test_a_quoted_signature_is_never_read() -> None:
    body = (
        "Thanks Jane\n\nOn 23/11/2026 10:05, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Police will attend.\n> --\n> Jane Smith\nDetective Sergeant, MASH\nMetropolitan Police Service\n"
    )
    assert trim(body).text == "Thanks Jane"


def test_the_senders_signature_under_an_inline_answer_ends_reading() -> None:
    body = (
        "On 23/11/2026 10:05, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Can HIDVA attend?\n\nYes.\n\n-- \nAmy Jones\nIDVA, HIDVA\n"
    )
    assert trim(body).text == "Yes."


def test_an_unmarked_copy_below_inline_answers_still_ends_reading() -> None:
    body = (
        "On 23/11/2026 10:05, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Can HIDVA attend?\n\nYes.\n\n"
        "From: Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example>\n"
        "Sent: 23 November 2026 10:00\nTo: HIDVA <referrals@hidva.example>\nSubject: Case call\n\n"
        "Cases for today (2)\nCase: T.W. - threats to a neighbour\n"
    )
    got = trim(body)
    assert got.text == "Yes."
    assert got.cut_reason == "header block"
    assert got.cut_at == body.split("\n").index("From: Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example>")


def test_the_bots_own_line_unmarked_below_the_quote_ends_reading() -> None:
    body = f"Yes.\n\n{CASE_CALL_QUOTE}\n\nPartners for HR-2026-0041: SPA\n{REPLY_MARKER}\nCases for today (2)\n"
    got = trim(body, fingerprints=(REPLY_MARKER,))
    assert got.text == "Yes.\n\nPartners for HR-2026-0041: SPA"
    assert got.cut_reason == "own email"


def test_a_quoted_copy_of_the_bots_marker_is_skipped_not_read() -> None:
    got = trim(f"Case: A.B. - new\n\n{CASE_CALL_QUOTE}", fingerprints=(REPLY_MARKER,))
    assert got.text == "Case: A.B. - new"
    assert got.cut_at is None


def test_an_mbox_escaped_from_line_does_not_make_an_unmarked_copy_look_marked() -> None:
    body = (
        "Thanks\n\nOn 23/11/2026 10:05, Jane Smith <jane.smith@met.police.example> wrote:\n\n"
        ">From the school: concerns about attendance\nCase: T.W. - threats to neighbour\n"
    )
    got = trim(body)
    assert got.text == "Thanks"
    assert got.cut_reason == "attribution"


def test_a_mailing_list_footer_ends_reading() -> None:
    body = "Case: A.B. - concern\n\nTo unsubscribe e-mail: list-unsubscribe@lists.example"
    assert trim(body).text == "Case: A.B. - concern"


def test_a_french_header_block_opened_by_message_du_ends_reading() -> None:
    body = ("Merci\n\nMessage du : 23/11/2026 10:00\nDe : Bot <bot@x.example>\n"
            f"A : cnwl@x.example\nObjet : Case call\n\n{BOT_COPY}")
    assert trim(body).text == "Merci"


def test_an_attribution_without_a_colon_heading_a_header_block_is_not_read() -> None:
    body = ("Danke.\nMit freundlichen Grüßen\nAm 23.11.26 um 10:00 schrieb Hillingdon High Risk Case Discussion\n"
            f"Von: Bot <bot@x.example>\nDatum: 23. November 2026\nAn: Polizei\nBetreff: Case call\n\n{BOT_COPY}")
    got = trim(body)
    assert got.text == "Danke.\nMit freundlichen Grüßen"
    assert got.cut_reason == "attribution"


def test_an_arabic_attribution_wrapped_in_direction_marks_is_recognised() -> None:
    attribution = ("\u202bفي ٢٣\u200f/١١\u200f/٢٠٢٦ الساعة ١٠:٠٠ ص، كتب/كتبت \u200fBot "
                   "\u200f<bot@x.example>:\u202c")
    body = f"شكرا\n\n{attribution}\n\n{BOT_COPY}"
    assert trim(body).text == "شكرا"


def test_a_name_wrote_line_without_date_or_colon_heading_quoted_lines_is_an_attribution() -> None:
    body = "Yes, Police will attend.\n\n\nJane Smith wrote\n> Can Police attend?\n> Thanks\n"
    got = trim(body)
    assert got.text == "Yes, Police will attend."
    assert "Jane Smith wrote" not in got.text


def test_an_attribution_broken_by_an_undecoded_soft_line_break_is_recognised() -> None:
    body = ("Thanks.\n\nOn Mon, Nov 23, 2026 at 10:00=E2=80=AFAM Jane Smith <jane.smith@met.police.example> w=\n"
            "rote:\n\n> Can HIDVA attend?\n")
    assert trim(body).text == "Thanks."


def test_a_header_block_quoted_with_colons_is_an_unmarked_copy() -> None:
    body = ("Noted.\n\n: Date: Mon, 23 Nov 2026 10:00:00 +0000\n: From: Bot <bot@x.example>\n"
            ": To: police@x.example\n: Subject: Case call\n:\n: Case: T.W. - threats to neighbour\n")
    got = trim(body)
    assert got.text == "Noted."
    assert got.cut_reason == "header block"


def test_a_header_block_run_into_one_line_ends_reading() -> None:
    body = ("Case: A.B. - new\nSubject: RE: Case call 23/11/2026 10:00From: Bot <bot@x.example> To: police@x.example\n"
            "Case: T.W. - threats to neighbour\n")
    assert trim(body).text == "Case: A.B. - new"


def test_a_line_shaped_like_a_label_but_not_an_instruction_is_not_exempt_from_rewrapping() -> None:
    # Only a letter-led label with something after its colon can be an instruction.
    body = ("Fine.\n\nOn 23/11/2026 10:05, Jane Smith <jane.smith@met.police.example> wrote:\n"
            ">> I found that we should declare it\nthis way:\n>> ok\n"
            ">> program_parallelism: 12 taskmanagers: 6 slots: 4 heap_mb:\n4096jobmanager_heap_mb: 1024\n")
    assert trim(body).text == "Fine."


def test_a_numbered_or_bulleted_instruction_glued_under_a_quoted_line_is_read() -> None:
    body = ("On 23/11/2026 10:00, Bot wrote:\n"
            "> May stand down: Adult Social Care, CCG, HIDVA, THH, Community Safety and\n"
            "1. Partners for HR-2026-0041: HIDVA\n"
            "> How to reply (above this line):\n"
            ">> Required at 12:00: Police, Children's Social Services, ASBIT, CNWL, SPA and\n"
            "• Case: K.L. - cuckooing, vulnerable adult\n")
    assert trim(body).text == "1. Partners for HR-2026-0041: HIDVA\n• Case: K.L. - cuckooing, vulnerable adult"


def test_a_header_name_that_casefolds_to_no_known_name_does_not_crash() -> None:
    # "KİMDEN" matches "kimden" ignoring case but casefolds to "ki̇mden".
    body = "Case: A.B. - concern\nSubject: x KİMDEN: a To: b Sent: c\nmore"
    assert trim(body).text == body


def test_a_footer_a_server_added_below_the_quote_is_not_read() -> None:
    body = (f"Partners for HR-2026-0041: ASBIT\n\n{CASE_CALL_QUOTE}\n\n"
            "------------------------------------------------------------\n"
            "London Borough of Hillingdon, Civic Centre, High Street, Uxbridge UB8 1UW\n"
            "Case: studies of our services are published at hillingdon.example/reports\n")
    got = trim(body)
    assert got.text == "Partners for HR-2026-0041: ASBIT"
    assert got.cut_reason == "footer"


def test_a_rule_above_any_quote_is_the_senders_own() -> None:
    body = "Case: A.B. - concern\n------------\nPartners: Police"
    assert trim(body).text == body


def test_a_colleagues_inline_answer_under_an_outlook_header_is_never_read() -> None:
    # Jane answered the case call inline; CNWL replies to all from Outlook, which
    # copies Jane's email unmarked: its ">" lines are Jane's quotes, the plain line hers.
    body = (
        "Partners for HR-2026-0042: THH\n\n"
        "From: Jane Smith <jane.smith@met.police.example>\nSent: 23 November 2026 10:07\n"
        "To: Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example>\n"
        "Subject: Re: Case call Monday 23 November 2026\n\n"
        "> Cases for today (2)\n>   HR-2026-0041  T.W.  threats to neighbour\n"
        "Case: L.M. - stalking by ex-partner, breached bail twice\n"
        "> Required at 12:00: Police, Children's Social Services, ASBIT, CNWL, SPA\n"
    )
    got = trim(body)
    assert got.text == "Partners for HR-2026-0042: THH"
    assert got.cut_reason == "header block"


def test_with_nothing_written_above_an_outlook_header_over_quoted_lines_is_passed() -> None:
    body = ("From: Jane Smith <jane.smith@met.police.example>\nSent: 23 November 2026 10:07\n"
            "To: Bot\nSubject: Re: Case call\n\n> Can SPA attend?\n\nYes, SPA will attend.\n")
    assert trim(body).text == "Yes, SPA will attend."


def test_a_line_glued_under_the_senders_own_line_is_theirs_even_if_a_quote_has_it() -> None:
    body = (
        "On 23/11/2026 10:07, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> Case: L.M. - stalking by ex-partner, breached bail twice\n> Partners: HIDVA, SPA\n\n"
        "Case: N.O. - missed depot injection twice, lives with L.M.\nPartners: HIDVA, SPA\n"
    )
    assert trim(body).text == "Case: N.O. - missed depot injection twice, lives with L.M.\nPartners: HIDVA, SPA"


def test_a_sentence_the_sender_goes_on_with_under_a_quote_is_not_taken_for_a_rewrap() -> None:
    body = (
        "Ok.\n\nOn 23/11/2026 10:07, Jane Smith <jane.smith@met.police.example> wrote:\n"
        "> We had three calls from the neighbours this week and the housing officer says that\n"
        "Yes, and the school raised the same concern with us on Friday afternoon, so we would\n"
        "like it discussed today.\n"
    )
    assert trim(body).text == (
        "Ok.\n\nYes, and the school raised the same concern with us on Friday afternoon, so we would\n"
        "like it discussed today."
    )
