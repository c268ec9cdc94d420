"""Which meeting an email is for: thread, then reference, then subject, then the sender's
only meeting; a member of several meetings naming none is asked, never guessed."""

from __future__ import annotations

from mailbot.core.routing import Candidate, Clues, action_ids_in, named_in, prefixes_in, route

DAILY = Candidate("daily", "Hillingdon Multi-Agency High Risk Case Discussion", "HR")
PANEL = Candidate("panel", "Complex Case Panel", "CCP")
RISK = Candidate("drm", "Daily Risk Management Meeting", "DRM")
BOTH = (DAILY, PANEL)


def test_a_deployment_of_one_meeting_routes_everything_to_it_whatever_the_email_says() -> None:
    clues = Clues(thread=None, prefixes=("CCP",), subject="Complex Case Panel")
    assert route(clues, (DAILY,), senders=()).meeting == "daily"
    assert route(Clues(), (DAILY,), senders=("daily",)).by == "only meeting"


def test_the_thread_wins_over_a_reference_and_a_subject() -> None:
    clues = Clues(thread="daily", prefixes=("CCP",), subject="Re: Complex Case Panel agenda")
    found = route(clues, BOTH, senders=("daily", "panel"))
    assert (found.meeting, found.by) == ("daily", "thread")


def test_a_reference_prefix_wins_over_the_subject() -> None:
    clues = Clues(prefixes=("CCP",), subject="Hillingdon Multi-Agency High Risk Case Discussion")
    assert route(clues, BOTH, senders=("daily", "panel")).meeting == "panel"


def test_the_subject_decides_when_nothing_else_does() -> None:
    found = route(Clues(subject="Apologies for the complex case PANEL"), BOTH, senders=("daily", "panel"))
    assert (found.meeting, found.by) == ("panel", "subject")


def test_a_member_of_one_meeting_needs_to_name_none() -> None:
    found = route(Clues(subject="Re: hello"), BOTH, senders=("panel",))
    assert (found.meeting, found.by) == ("panel", "sender")


def test_a_member_of_two_meetings_naming_none_is_asked_with_only_their_meetings_listed() -> None:
    three = (DAILY, PANEL, RISK)
    found = route(Clues(subject="Re: hello"), three, senders=("daily", "panel"), wrote="Apologies: on leave")
    assert found.asking and found.meeting is None
    assert "'Apologies: on leave'" in found.ask
    assert "Hillingdon Multi-Agency High Risk Case Discussion, Complex Case Panel" in found.ask
    assert RISK.name not in found.ask
    assert "reply to that meeting's own email" in found.ask and "CCP-2026-0041" in found.ask


def test_references_of_two_meetings_are_not_guessed_between() -> None:
    found = route(Clues(prefixes=("HR", "CCP")), BOTH, senders=("daily", "panel"))
    assert found.asking and "more than one meeting" in found.ask


def test_a_thread_to_an_email_of_no_meeting_falls_through_to_what_the_email_says() -> None:
    assert route(Clues(thread=None, prefixes=("ccp",)), BOTH, senders=("daily",)).meeting == "panel"
    # A prefix no meeting uses says nothing.
    assert route(Clues(prefixes=("XY",)), BOTH, senders=("daily",)).by == "sender"


def test_a_partner_of_no_meeting_is_read_for_the_first_as_before() -> None:
    assert route(Clues(), BOTH, senders=()).meeting == "daily"


def test_references_are_found_however_they_are_typed() -> None:
    assert prefixes_in("Apologies for ccp-2026-7\nDone: A-12\nsee HR - 2026 - 0041") == ("CCP", "HR")
    assert prefixes_in("call 020-2026-1234 or A-12") == ()


def test_a_subject_names_a_meeting_by_name_before_an_id_that_is_a_common_word() -> None:
    rooms = (Candidate("daily", "Case call", "HR"), RISK)
    assert named_in("Re: Daily Risk Management Meeting agenda", rooms) == (RISK,)
    assert named_in("Re: DAILY", rooms)[0].id == "daily"
    assert named_in("Re: nothing", rooms) == ()


def test_action_ids_are_found_only_in_their_own_form() -> None:
    assert action_ids_in("Done: A-12, a-3 and A-12\nUpdate: A-7 visit booked") == (12, 3, 7)
    assert action_ids_in("the A1 road, HR-2026-0041, DATA-12") == ()
