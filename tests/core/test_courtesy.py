"""Courtesy or prose: what a coordinator must read of a reply, and what is only politeness."""

from __future__ import annotations

import time

import pytest

from mailbot.core.courtesy import for_coordinators, is_courtesy


@pytest.mark.parametrize(
    "line",
    [
        "Hi all", "Hello,", "Good morning everyone", "Morning all,", "Dear colleagues,",
        "Thanks", "Many thanks!", "Thank you for the agenda", "Thanks all", "Cheers", "Diolch yn fawr",
        "Nothing to add from us today.", "No cases from us today", "No new referrals this week",
        "Nil return", "N/A", "Thanks for letting me know",
        "Noted, thanks", "Received", "Will attend", "We'll dial in at 12", "I will attend today",
        "See you at 12", "Kind regards,", "Best wishes", "Have a good weekend",
        "Hi all, nothing from us today, thanks", "*****", "", "Apologies for the late reply",
        "Sorry for the delay.", "Yes, Police will attend.", "Nil return from Police.",
        "Someone from CNWL will dial in", "DS Smith will attend today", "My colleague will join the call",
        "Police - no cases today", "CNWL: nothing to add", "From Police: nothing to add", "Noted with thanks",
        "Nothing further to add at this time", "Ok thanks", "Will dial in",
        "Hope you're all well.", "Great, thanks all",
        "Classification: OFFICIAL-SENSITIVE", "[OFFICIAL]",
    ],
)
def test_politeness_is_courtesy(line: str) -> None:
    assert is_courtesy(line)


@pytest.mark.parametrize(
    "line",
    [
        "Could we please add a new case today: G.L., 84, bruising",
        "please remove HR-2026-0041 from today",
        "I'm on leave tomorrow, Sam Patel will cover",
        "Police will attend the address on Friday",
        "Thanks, but T.W. was seen with a knife again last night",
        "Is the meeting still at 12?",
        "Nothing to add?",
        "Done.",
        "Mum will attend", "The family will attend", "Mum - will attend",
        "No cases from us today but M.K. has gone missing again",
        "Nothing from CNWL",  # without the partners' names, "from" someone is about a person
        "No update from school",
        "Thanks for letting me know she moved",
        "No concerns from the GP",
    ],
)
def test_anything_a_person_should_read_is_prose(line: str) -> None:
    assert not is_courtesy(line)


REFERRAL = """Hi all,

Could we please add a new case today: G.L., 84, bruising to both arms, lives with her son.
We'd need ASC and Police there.

Kind regards,
Jane Smith
Detective Sergeant | MASH
Metropolitan Police Service
she/her
Tel: 020 7123 4567
jane.smith@met.police.example
https://www.met.police.example
Working hours: Mon-Thu 9-5
Civic Centre, High Street, Uxbridge UB8 1UW
"""


def test_a_prose_referral_goes_to_the_coordinators_without_the_signature() -> None:
    assert for_coordinators(REFERRAL, ()) == (
        "Could we please add a new case today: G.L., 84, bruising to both arms, lives with her son.",
        "We'd need ASC and Police there.",
    )


def test_prose_after_the_sign_off_is_still_read() -> None:
    text = "Thanks\nJane\n\nP.S. I'm on leave tomorrow, Sam Patel will cover\nPolice will attend the address"
    assert for_coordinators(text, ()) == ("P.S. I'm on leave tomorrow, Sam Patel will cover",
                                          "Police will attend the address")


def test_instruction_lines_and_their_lead_in_are_not_forwarded() -> None:
    text = "Two from us today:\n\nCase: A.B. - threats\nPartners: Police\n\nplease ring me after"
    assert for_coordinators(text, {3, 4}) == ("please ring me after",)


def test_a_signature_without_a_sign_off_and_a_disclaimer_are_not_forwarded() -> None:
    text = ("Partners for HR-2026-0041: CNWL\n\nChildren's MASH\n\n"
            "This email is confidential and intended for the named recipient only. If you have\n"
            "received it in error, tell the sender. Emails may be monitored.")
    assert for_coordinators(text, {1}) == ()


def test_one_word_that_sounds_legal_does_not_hide_a_referral() -> None:
    text = "Confidential: new case today, K.P., 16, missing since Friday"
    assert for_coordinators(text, ()) == (text,)


def test_nothing_after_a_stop_line_is_forwarded() -> None:
    assert for_coordinators("Case: L.M. - x\nstop\nold notes about a case", {1}, until=2) == ()


def test_long_lines_are_read_in_linear_time() -> None:
    text = ("Thanks " + " " * 50_000 + "x\n") + ("0" * 50_000 + "\n") * 3 + "-" * 100_000
    started = time.perf_counter()
    assert len(for_coordinators(text, ())) == 4  # the dashes are no words: not forwarded
    assert time.perf_counter() - started < 1.0


def test_an_agency_name_after_the_sign_off_is_the_signature() -> None:
    text = "Diolch\nHIDVA\n\nRegards\nAdult Social Care MASH\nUrgent Visit Needed For Mum Today\nmum moved"
    assert for_coordinators(text, ()) == ("Urgent Visit Needed For Mum Today", "mum moved")


def test_an_officer_signing_with_rank_and_collar_number_is_a_signature() -> None:
    text = "Morning all\n\nNil return from Police.\n\nSgt Smith"
    assert for_coordinators(text, ()) == ()
    text = "Yes, Police will attend.\n\nThanks\nPC 1234 Bloggs\nHillingdon MASH | Metropolitan Police"
    assert for_coordinators(text, ()) == ()


def test_device_lines_and_a_sign_off_with_a_name_are_the_signature() -> None:
    text = "Nothing from us today\n\nThanks Jane\nSent from my Galaxy\nGet Outlook for Android"
    assert for_coordinators(text, ()) == ()


def test_nothing_from_a_partner_is_courtesy_when_the_partners_are_known() -> None:
    agencies = {"cnwl", "police", "metropolitan police"}
    assert is_courtesy("Nothing from CNWL", agencies)
    assert is_courtesy("No update from Metropolitan Police today", agencies)
    assert not is_courtesy("No update from school", agencies)


def test_an_address_in_a_sentence_is_not_a_signature() -> None:
    text = "Regards\nJane\nCivic Centre, High Street, Uxbridge UB8 1UW\nPS her new address is 12 High Road UB8 2AB"
    assert for_coordinators(text, ()) == ("PS her new address is 12 High Road UB8 2AB",)


def test_a_referral_below_an_early_thanks_is_read() -> None:
    text = "Thanks\n\nNew Case Today\nMrs Brown, 84, Bruising\nJane Smith"
    assert for_coordinators(text, ()) == ("Mrs Brown, 84, Bruising", "Jane Smith")
