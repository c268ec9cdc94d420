"""Content levels: what each recipient domain may be sent, on every letter the bot writes."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime
from zoneinfo import ZoneInfo

from mailbot.adapters.templates import renderer
from mailbot.config import DEFAULT_CONFIDENTIALITY, Settings
from mailbot.core import letters
from mailbot.core.actions import ActionView
from mailbot.core.agenda import CaseView, DayView
from mailbot.core.compose import Letter, build
from mailbot.core.privacy import ContentPolicy, Level

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London"))
INITIALS = "Q.Z."
DETAILS = ["Q.Z.", "stabbing threat at 14 Acacia Road", "visit Q.Z. at the refuge",
           "moved to the Elm Street refuge", "risk reduced after arrest"]
AFTER_THE_CALL = ("summary", "owner-actions", "reminder", "escalation")
EVERY_DOMAIN = ("hillingdon.example", "met.police.example", "cnwl.example", "thh.example",
                "hillingdonccg.example", "hidva.example", "elsewhere.example")


def stationery(settings: Settings, policy: ContentPolicy) -> letters.Stationery:
    m = settings.meeting
    return letters.Stationery(renderer(), settings.directory, settings.bot.display_name,
                              settings.bot.address, m.id, m.name, m.starts, m.cutoff, m.dial_in,
                              policy, DEFAULT_CONFIDENTIALITY)


def every_letter(s: letters.Stationery) -> list[Letter]:
    d = s.directory
    case = CaseView("HR-2026-0001", DETAILS[0], DETAILS[1], "police", ("police", "hidva"), "returned",
                    "A-1 could not be completed: " + DETAILS[3])
    view = DayView("daily", date(2026, 11, 23), (case,))
    action = ActionView(1, "HR-2026-0001", "referrals@hidva.example", "hidva", date(2026, 11, 28),
                        DETAILS[2], "open", DETAILS[3])
    rows = letters.action_rows(s, [action], letters.short_day)
    hidva = d.get("hidva")
    return [
        letters.case_call(s, view, hidva, late=False),
        letters.attendance(s, view, hidva, now=NOW),
        letters.now_required(s, view, hidva, ["HR-2026-0001"]),
        letters.acknowledgement(s, letters.ReplyTo(key="ack:1", to="referrals@hidva.example", subject=f"RE: Case call - new case {INITIALS}", message_id=None, references=[]),
                                letters.Answer(done=[f"Added HR-2026-0001 ({INITIALS}) to today's call"], problems=[], status=letters.status_context(s, view, hidva), secrets=[DETAILS[0], DETAILS[1]])),
        letters.summary(s, plan=letters.PlanView(
            date(2026, 11, 23), "v1", [{"reference": "HR-2026-0001", "subject": INITIALS, "decision": "closed",
                                        "rationale": DETAILS[4]}], rows), partner=hidva),
        letters.owner_actions(s, day=date(2026, 11, 23), version="v1", owner=action.owner, actions=rows),
        letters.reminder(s, action=rows[0], owner=action.owner, when="today"),
        letters.escalation(s, partner=hidva, action=rows[0], days=6),
    ]


def wire(s: letters.Stationery, letter: Letter) -> str:
    _, raw = build(letter, from_address=s.bot_address, from_name=s.bot_name, now=NOW)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [str(msg["Subject"])] + [str(p.get_content()) for p in msg.walk()
                                      if p.get_content_maintype() == "text"]
    return "\n".join(parts)


def test_a_domain_not_listed_as_secure_never_receives_case_details(settings: Settings) -> None:
    s = stationery(settings, ContentPolicy(secure_domains=("hillingdon.example",)))
    for letter in every_letter(s):
        seen = wire(s, letter)
        for detail in DETAILS:
            assert detail not in seen, (letter.key, detail)
        assert "HR-2026-0001" in seen, letter.key  # the reference is still there to discuss
        if letter.key.split(":")[0] in AFTER_THE_CALL:
            # No call to read them on: the owner is told how to get them, never a bare "withheld".
            assert "To get them: Ask the coordinator for the action's details by phone" in seen, letter.key
            assert "read on the call" not in seen and "read out on the call" not in seen, letter.key
        else:
            assert "details are read out on the call" in seen, letter.key


def test_a_secure_domain_gets_the_details(settings: Settings) -> None:
    s = stationery(settings, ContentPolicy(secure_domains=EVERY_DOMAIN))
    call = wire(s, every_letter(s)[0])
    assert INITIALS in call and DETAILS[1] in call
    assert "details are read out on the call" not in call
    ack = wire(s, every_letter(s)[3])
    assert f"({INITIALS})" in ack


def test_every_email_carries_the_confidentiality_statement(settings: Settings) -> None:
    for policy in (ContentPolicy(), ContentPolicy(secure_domains=EVERY_DOMAIN)):
        s = stationery(settings, policy)
        for letter in [*every_letter(s), letters.notice(s, key="n", title="t", lines=["l"]),
                       letters.digest(s, day=date(2026, 11, 23), overdue=[])]:
            assert DEFAULT_CONFIDENTIALITY in letter.text, letter.key
            assert "OFFICIAL-SENSITIVE" in letter.html, letter.key


def test_the_least_secure_recipient_sets_the_level() -> None:
    policy = ContentPolicy(secure_domains=("nhs.net", "met.police.uk"))
    assert policy.level(["a@nhs.net", "b@met.police.uk"]) is Level.FULL
    assert policy.level(["a@nhs.net", "b@gmail.com"]) is Level.REFERENCE
    assert policy.level(["a@trust.nhs.net"]) is Level.FULL  # a subdomain of a secure domain
    assert policy.level(["a@evilnhs.net"]) is Level.REFERENCE  # not a subdomain, a lookalike
    assert policy.level(["a@nhs.net.evil.example"]) is Level.REFERENCE
    assert policy.level([]) is Level.REFERENCE
    assert ContentPolicy(default_level=Level.FULL).level(["a@gmail.com"]) is Level.FULL


def test_a_subject_tag_goes_on_every_email_to_its_domain_once(settings: Settings) -> None:
    s = stationery(settings, ContentPolicy(secure_domains=EVERY_DOMAIN,
                                           subject_tags=(("hidva.example", "[secure]"),)))
    for letter in every_letter(s):
        assert letter.subject.startswith("[secure] "), letter.key
        assert letter.subject.count("[secure]") == 1
    police = letters.case_call(s, DayView("daily", date(2026, 11, 23), ()), s.directory.get("police"),
                               late=False)
    assert "[secure]" not in police.subject
    again = letters.acknowledgement(s, letters.ReplyTo(key="a", to="referrals@hidva.example", subject="RE: [secure] call", message_id=None, references=[]),
                                letters.Answer(done=["x"], problems=[], status=None))
    assert again.subject.count("[secure]") == 1


def test_a_quoted_line_of_the_sender_is_withheld_at_reference_level_but_grammar_survives() -> None:
    from mailbot.core.privacy import scrub_quotes

    names = frozenset({"police", "cnwl", "hidva"})
    said = "line 4: 'Case Y.U. coercive control' was not read: did you mean 'Case: Y.U. - coercive control'?"
    assert scrub_quotes(said, names) == ("line 4: [your words withheld] was not read: did you mean "
                                         "[your words withheld]?")
    # What says nothing about a person is kept, so the sender can still correct it.
    assert scrub_quotes("read 'A-1 done' as 'Done: A-1'", names) == "read 'A-1 done' as 'Done: A-1'"
    assert scrub_quotes("'Partners for HR-2026-0041 - CNWL'", names) == "'Partners for HR-2026-0041 - CNWL'"
    # Apostrophes inside words are not quotes.
    plain = "Added to today's 12:00 call; required: Children's Services"
    assert scrub_quotes(plain, names) == plain


def test_the_secure_route_is_only_where_details_are_withheld(settings: Settings) -> None:
    route = "Ask the coordinator by phone on 01895 250111."
    full = stationery(settings, ContentPolicy(secure_domains=EVERY_DOMAIN, secure_route=route))
    for letter in every_letter(full)[4:]:  # the letters read after the call
        assert route not in wire(full, letter) and DETAILS[2] in wire(full, letter), letter.key
    reference = stationery(settings, ContentPolicy(secure_domains=(), secure_route=route))
    for letter in every_letter(reference)[4:]:
        assert f"To get them: {route}" in letter.text and f"To get them: {route}" in letter.html, letter.key


def test_the_coordinators_notice_about_such_an_owner_withholds_the_action_where_it_must(
        settings: Settings) -> None:
    action = ActionView(1, "HR-2026-0001", "referrals@hidva.example", "hidva", date(2026, 11, 28),
                        DETAILS[2], "open", "")
    for secure, shown in ((EVERY_DOMAIN, True), (("hidva.example",), False)):
        s = stationery(settings, ContentPolicy(secure_domains=secure))
        rows = letters.action_rows(s, [action], letters.short_day)
        letter = letters.reference_owner_notice(s, key="n", chair="adultmash@hillingdon.example",
                                                owner="referrals@hidva.example", partner="HIDVA", actions=rows)
        seen = wire(s, letter)
        assert "A-1 (HR-2026-0001), due Sat 28 Nov 2026" in seen and "referrals@hidva.example" in seen
        assert (DETAILS[2] in seen) is shown


def test_a_withheld_word_is_withheld_whole_and_other_words_keep_their_letters() -> None:
    from mailbot.core.privacy import scrub_text

    said = "Added HR-2026-0004 (SP) to today's call; required: HIDVA, SPA. Look at SP's case."
    assert scrub_text(said, ["SP", "ok"]) == ("Added HR-2026-0004 ([withheld]) to today's call; required: "
                                              "HIDVA, SPA. Look at [withheld]'s case.")
    assert scrub_text("T.W. - threats, seen by T.W.'s neighbour", ["T.W."]) == \
        "[withheld] - threats, seen by [withheld]'s neighbour"
