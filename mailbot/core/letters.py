"""Which letters the bot writes, and what goes in each: case call, attendance list,
acknowledgement, now-required notice, status, unknown-sender answer, coordinator notice.

Each function returns a Letter with its outbox key; the templates in
``templates/`` turn the context into text and HTML. The bot's own case lines
are never written in the reply grammar, so a quoted copy can never be read as a
command, and every letter that invites a reply starts with the marker line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo

from mailbot.core.actions import ActionView
from mailbot.core.agenda import ApologyView, CaseView, DayView, Told
from mailbot.core.compose import Attachment, Letter, Render, reply_subject
from mailbot.core.directory import Directory, short_name
from mailbot.core.inbound import REPLY_MARKER
from mailbot.core.invitation import Invitation, Method, ical
from mailbot.core.invitation import description as describe
from mailbot.core.invitation import uid as invite_uid
from mailbot.core.model import Partner
from mailbot.core.privacy import WITHHELD, WITHHELD_ROUTE, ContentPolicy, Level, scrub_text, withhold


@dataclass(frozen=True)
class Stationery:
    """What every letter of one meeting shares."""

    render: Render
    directory: Directory
    bot_name: str
    bot_address: str
    meeting_id: str
    meeting_name: str
    starts: time
    cutoff: time
    dial_in: str
    policy: ContentPolicy = field(default_factory=ContentPolicy)
    confidentiality: str = ""
    marking: str = ""  # the protective marking, e.g. OFFICIAL-SENSITIVE: top of the body and subject
    join_url: str = ""  # the online meeting's link, in the letters and the invitation
    zone: tzinfo = UTC  # the meeting's time zone, for the invitation's start time

    @property
    def safe_words(self) -> frozenset[str]:
        """Words that say nothing about a person: the partners' names, codes and aliases."""
        names = [n for p in self.directory for n in (p.code, p.name, *p.aliases)]
        return frozenset(w.casefold() for n in names for w in re.findall(r"[^\s:|,;.()\-–—]+", n))

    @property
    def bot_line(self) -> str:
        return f"This email is from the {self.bot_name} mailbox ({self.bot_address})."

    @property
    def fingerprints(self) -> tuple[str, ...]:
        """Lines that start every letter: seeing one in a reply means the quote began."""
        return (REPLY_MARKER, self.bot_line)

    def base(self, day: date | None = None) -> dict[str, object]:
        return {
            "marker": REPLY_MARKER,
            "bot_line": self.bot_line,
            "meeting": self.meeting_name,
            "day_long": day_words(day) if day else "",
            "starts": f"{self.starts:%H:%M}",
            "cutoff": f"{self.cutoff:%H:%M}",
            "dial_in": self.dial_in,
            "join_url": self.join_url,
            "invitation": False,
        }

    def names(self, codes: Sequence[str]) -> list[str]:
        """Short names, in directory order: every letter lists partners the same way."""
        wanted = set(codes)
        return [short_name(p) for p in self.directory if p.code in wanted]

    def letter(self, template: str, key: str, to: Sequence[str], subject: str,
               context: dict[str, object], secrets: Sequence[str] = (), *, route: bool = False,
               public: bool = False, preview: str = "", **extra: object) -> Letter:
        """Every letter passes here: its recipients decide how much of a case it carries
        and whether its subject is tagged; every letter ends with the confidentiality
        statement. ``secrets`` are details a partner wrote that are withheld too.

        ``route``: a letter about actions, read after the call; where it carries references
        only, it says how to get the details (``secure_route``) instead of "read on the call".
        ``public``: to someone outside the partnership, with none of the partners' footers
        and no protective marking.
        ``preview`` is what the partner must know first (their status, what is due): the
        first line of the text part and the HTML's hidden preheader, which mail clients
        show in their lists beside the subject.
        """
        level = self.policy.level(to)
        routed = route and level is Level.REFERENCE
        preview = preview or subject
        if level is Level.REFERENCE:
            context = withhold(context, secrets, self.safe_words,
                               WITHHELD_ROUTE if routed else WITHHELD)
            subject = scrub_text(subject, secrets)
            preview = scrub_text(preview, secrets)
        note = ROUTE_NOTE if routed else REFERENCE_NOTE
        footer = [] if public else [*([note] if level is Level.REFERENCE else []),
                                    *([self.confidentiality] if self.confidentiality else [])]
        marking = "" if public else self.marking
        context = {**context, "level": level.value, "confidentiality": self.confidentiality,
                   "secure_route": self.policy.secure_route if routed else "",
                   "footer": footer, "preview": preview, "marking": marking}
        subject = mark(subject, marking)
        tag = self.policy.tag(to)
        if tag and tag.casefold() not in subject.casefold():
            subject = f"{tag} {subject}"
        text = self.render(f"{template}.txt", context)
        html = self.render(f"{template}.html", context)
        # The status first, where a list of emails shows it; the reply marker stays above
        # everything else the bot wrote, so a quoted copy is still cut at its top.
        text = "\n".join([preview, *([marking] if marking else []), "", text])
        if footer:
            text = text.rstrip("\n") + "\n\n-- \n" + "\n\n".join(footer) + "\n"
        return Letter(key=key, to=tuple(to), subject=subject, text=text, html=html,
                      **extra)  # type: ignore[arg-type]


_REPLY_PREFIX = re.compile(r"^(?:(?:re|fw|fwd|aw|sv)\s*:\s*)*", re.IGNORECASE)


def mark(subject: str, marking: str) -> str:
    """The subject with the protective marking in front ("OFFICIAL-SENSITIVE: ..."), after
    any "Re:" so that mail clients still thread it; once, however often it is replied to."""
    if not marking or marking.casefold() in subject.casefold():
        return subject
    found = _REPLY_PREFIX.match(subject)
    head = found.group(0) if found else ""  # the pattern also matches no prefix
    return f"{head}{marking}: {subject[len(head):]}"


def is_late(subject: str) -> bool:
    """Whether a case call's subject already says it is late (it is rewritten only once)."""
    return " - LATE case call " in subject


REFERENCE_NOTE = ("Case details are not sent to your email address under the information sharing "
                  "agreement: only case references are given here, and details are read out on the call.")
ROUTE_NOTE = ("Case and action details are not sent to your email address under the information "
              "sharing agreement: only references are given here.")


def long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def day_words(day: date) -> str:
    """A meeting day as GOV.UK style writes it: "Monday 23 November"."""
    return f"{day:%A} {day.day} {day:%B}"


def brief_day(day: date) -> str:
    """A meeting day in a subject, where every character counts: "Mon 23 Nov"."""
    return f"{day:%a} {day.day} {day:%b}"


def short_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _case_rows(s: Stationery, cases: Sequence[CaseView]) -> list[dict[str, object]]:
    return [
        {
            "reference": c.reference,
            "subject": c.subject,
            "concern": c.concern,
            "referrer": short_name(s.directory.get(c.referrer)) if c.referrer else "coordinator",
            "partners": ", ".join(s.names(c.partners)),
            "reason": c.reason,
            "note": c.note,
        }
        for c in cases
    ]


def _day_context(s: Stationery, view: DayView, partner: Partner) -> dict[str, object]:
    required = view.required(s.directory)
    return {
        **s.base(view.day),
        "partner": short_name(partner),
        "required": partner.code in required,
        "cases": _case_rows(s, view.cases),
        "my_cases": [c.reference for c in view.cases_for(partner.code)],
        "required_names": s.names(required),
        "standing_down_names": s.names(view.standing_down(s.directory)),
        "apologies": [_apology(s, a) for a in view.apologies],
    }


def _apology(s: Stationery, apology: ApologyView) -> str:
    what = f" for {apology.reference}" if apology.reference else ""
    why = f" ({apology.reason})" if apology.reason else ""
    return f"{short_name(s.directory.get(apology.partner))}{what}{why}"


def case_call(s: Stationery, view: DayView, partner: Partner, *, late: bool,
              now: datetime | None = None) -> Letter:
    """The morning's email to one partner. Given ``now``, a required partner's also carries
    the calendar invitation, so the meeting is in its calendar from the first email."""
    invite = (invitation(s, view, partner, Method.REQUEST, now),) \
        if now is not None and view.is_required(partner.code) else ()
    ctx = {**_day_context(s, view, partner), "late": late, "invitation": bool(invite)}
    what = "LATE case call" if late else "Case call"
    subject = _day_subject(s, view, partner, f"{what} {brief_day(view.day)}")
    return s.letter("case_call", f"case-call:{s.meeting_id}:{view.day}:{partner.code}",
                    partner.emails, subject, ctx, attachments=invite,
                    preview=_status_line(s, view, partner, "required"))


def attendance(s: Stationery, view: DayView, partner: Partner, *, now: datetime) -> Letter:
    """The final agenda at the cut-off. The invitation went with the case call (or the
    now-required notice); a partner invited then and no longer needed gets its cancellation."""
    ctx = _day_context(s, view, partner)
    subject = _day_subject(s, view, partner, f"Attendance list {brief_day(view.day)}")
    invited = view.told.get(partner.code) == Told.REQUIRED
    attachments = (invitation(s, view, partner, Method.CANCEL, now),) \
        if invited and not view.is_required(partner.code) else ()
    return s.letter("attendance", f"attendance:{s.meeting_id}:{view.day}:{partner.code}",
                    partner.emails, subject, ctx, attachments=attachments,
                    preview=_status_line(s, view, partner, "must attend"))


def _day_subject(s: Stationery, view: DayView, partner: Partner, what: str) -> str:
    """The partner's status first, where a phone's list of emails still shows it:
    "REQUIRED 12:00 - Police - Case call Mon 23 Nov: 2 cases"."""
    status = f"REQUIRED {s.starts:%H:%M}" if view.is_required(partner.code) else "Stand down"
    n = len(view.cases)
    count = f"{n} case{'s' if n != 1 else ''}" if n else "no cases"
    return f"{status} - {short_name(partner)} - {what}: {count}"


def _status_line(s: Stationery, view: DayView, partner: Partner, verb: str) -> str:
    """One sentence, the partner's status: "Police: you are required at 12:00, for HR-2026-0001."."""
    refs = [c.reference for c in view.cases_for(partner.code)]
    if refs:
        be = "you are required" if verb == "required" else f"you {verb}"
        return f"{short_name(partner)}: {be} at {s.starts:%H:%M}, for {', '.join(refs)}."
    if view.cases:
        return f"{short_name(partner)}: you may stand down."
    return "No cases today: everyone may stand down."


def invitation(s: Stationery, view: DayView, partner: Partner, method: Method, now: datetime
               ) -> Attachment:
    """The partner's calendar entry for the meeting day: a request while it is required,
    a cancellation once it is not. Case references only, whatever the address's level."""
    refs = [c.reference for c in view.cases_for(partner.code)]
    entry = Invitation(
        uid=invite_uid(s.meeting_id, view.day, partner.code, s.bot_address), day=view.day,
        starts=s.starts, zone=s.zone, summary=s.meeting_name, location=s.dial_in, url=s.join_url,
        description=describe(refs, s.dial_in, s.join_url), organizer=s.bot_address,
        organizer_name=s.bot_name, attendees=tuple((a, short_name(partner)) for a in partner.emails))
    return Attachment("invite.ics", "text", "calendar", ical(entry, method, now),
                      (("method", method.value),))


def now_required(s: Stationery, view: DayView, partner: Partner, references: Sequence[str],
                 now: datetime | None = None) -> Letter:
    """To a partner told to stand down whom a new case needs; with the invitation, given ``now``."""
    invite = (invitation(s, view, partner, Method.REQUEST, now),) if now is not None else ()
    ctx = {**_day_context(s, view, partner), "new_refs": list(references), "invitation": bool(invite)}
    subject = (f"Now REQUIRED {s.starts:%H:%M} - {short_name(partner)} - {brief_day(view.day)}: "
               f"{', '.join(references)}")
    preview = (f"{short_name(partner)}: you are now required at {s.starts:%H:%M}, "
               f"for {', '.join(references)}.")
    return s.letter("now_required", f"now-required:{s.meeting_id}:{view.day}:{partner.code}",
                    partner.emails, subject, ctx, preview=preview, attachments=invite)


def acknowledgement(s: Stationery, *, key: str, to: str, subject: str, message_id: str | None,
                    references: Sequence[str], done: Sequence[str], problems: Sequence[str],
                    status: dict[str, object] | None, secrets: Sequence[str] = (),
                    read_as: Sequence[str] = (), headline: Headline | None = None, forwarded: bool = False,
                    only_forwarded: bool = False, invite: Attachment | None = None) -> Letter:
    """The answer to a partner's email: the sender's status first when the email changed it,
    what was done, how lenient lines were read, what was not done and why, and whether a
    person will pick the rest up."""
    ctx = {**s.base(), "done": list(done), "problems": list(problems), "status": status,
           "read_as": list(read_as), "headline": headline.sentence if headline else "",
           "forwarded": forwarded, "only_forwarded": only_forwarded}
    subject = fresh_subject(subject, s.directory, s.marking)
    if headline:
        subject = f"{subject} - {headline.tag}"
    return s.letter("ack", key, (to,), reply_subject(subject), ctx, secrets,
                    preview=_ack_preview(s, done, problems, status, headline),
                    attachments=(invite,) if invite else (), in_reply_to=message_id,
                    references=tuple(references),
                    auto_submitted="auto-replied")


def _ack_preview(s: Stationery, done: Sequence[str], problems: Sequence[str],
                 status: dict[str, object] | None, headline: Headline | None) -> str:
    """The answer's first line: the sender's new status (the text part says it only here,
    above the marker), else the status they asked for, else what came of their lines."""
    if headline:
        return headline.sentence
    if status:
        where = (f"required at {s.starts:%H:%M}" if status["required"] else "you may stand down")
        return f"Your status for {status['day_long']}: {where}."
    if problems and not done:
        return "Your email was read, but nothing was done: please check it."
    checks = f", {len(problems)} to check" if problems else ""
    return f"Your email was read: {len(done)} done{checks}."


# " - Police: REQUIRED at 12:00", " - HIDVA: may stand down" at the end of our subjects,
# "REQUIRED 12:00 - Police - " or "Stand down - ASC - " at their start.
_STATUS_TAIL = re.compile(r"\s+-\s+[^-:]{1,60}:\s*(?:now\s+)?"
                          r"(?:REQUIRED at \d\d:\d\d|may (?:now )?stand down)[^-]{0,80}$", re.IGNORECASE)
_STATUS_HEAD = re.compile(r"(?:now\s+)?(?:REQUIRED \d\d:\d\d|Stand down)\s+-\s+[^-]{1,60}\s+-\s+",
                          re.IGNORECASE)


def fresh_subject(subject: str, directory: Directory, marking: str = "") -> str:
    """A reply's subject without the status our own email put in it: the answer must not
    keep saying "may stand down" to a partner it has just made required. The protective
    marking, where our subject carried one, stays where it was."""
    subject = subject[:400]
    prefix = _REPLY_PREFIX.match(subject)
    cut = prefix.end() if prefix else 0
    if marking and subject[cut:].casefold().startswith(f"{marking}: ".casefold()):
        cut += len(marking) + 2
    head = _STATUS_HEAD.match(subject, cut)
    if head:
        subject = subject[:cut] + subject[head.end():]
    return _STATUS_TAIL.sub("", subject).rstrip()


@dataclass(frozen=True, slots=True)
class Headline:
    """The sender's own status, said first when their email changed it."""

    sentence: str  # "HIDVA: you are now REQUIRED at 12:00 on Monday 23 November 2026 (HR-2026-0002)."
    tag: str  # for the subject, in the case call's style: "HIDVA: now REQUIRED at 12:00"


def status_headline(s: Stationery, view: DayView, partner: Partner, *, was: bool) -> Headline:
    mine = [c.reference for c in view.cases_for(partner.code)]
    name = short_name(partner)
    if mine:
        now = "" if was else "now "
        return Headline(f"{name}: you are {now}REQUIRED at {s.starts:%H:%M} on {long_day(view.day)} "
                        f"({', '.join(mine)}).", f"{name}: {now}REQUIRED at {s.starts:%H:%M}")
    now = "now " if was else ""
    return Headline(f"{name}: you may {now}stand down on {long_day(view.day)}: no case on the agenda "
                    "needs you.", f"{name}: may {now}stand down")


def stand_down(s: Stationery, view: DayView, partner: Partner, withdrawn: Sequence[str],
               now: datetime | None = None) -> Letter:
    """To a partner told it was required whom a withdrawal leaves with no case; given
    ``now``, it cancels the invitation that partner was sent."""
    cancel = (invitation(s, view, partner, Method.CANCEL, now),) if now is not None else ()
    ctx = {**_day_context(s, view, partner), "withdrawn": list(withdrawn)}
    subject = (f"Stand down - {short_name(partner)} - {brief_day(view.day)}: "
               f"{', '.join(withdrawn)} withdrawn")
    return s.letter("stand_down", f"stand-down:{s.meeting_id}:{view.day}:{partner.code}:"
                    f"{'+'.join(withdrawn)}"[:290], partner.emails, subject, ctx, attachments=cancel,
                    preview=f"{short_name(partner)}: you may now stand down for {day_words(view.day)}.")


def forward(s: Stationery, *, key: str, title: str, sender: str, subject: str, lines: Sequence[str],
            words: Sequence[str], secrets: Sequence[str]) -> Letter:
    """To the coordinators: what the bot may not do itself, and the sender's own words that a
    person must read (only what the sender newly wrote; never a quoted line)."""
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    ctx = {**s.base(), "title": title, "sender": sender, "subject": subject[:200], "lines": list(lines),
           "words": list(words)}
    return s.letter("forward", key, to, f"mailbot: {title}"[:200], ctx, secrets)


def status_context(s: Stationery, view: DayView, partner: Partner) -> dict[str, object]:
    ctx = _day_context(s, view, partner)
    return {"day_long": ctx["day_long"], "required": ctx["required"], "cases": ctx["cases"],
            "my_cases": ctx["my_cases"], "partner": short_name(partner)}


def unknown_sender(s: Stationery, *, key: str, to: str, subject: str, message_id: str | None,
                   coordinators: Sequence[str], public_reply: str) -> Letter:
    """The answer to someone outside the partnership: who to turn to instead, and none of
    the partners' footers, which would mean nothing to them. No reply marker either: this
    sender's replies are not read."""
    ctx = {**s.base(), "marker": "", "coordinators": list(coordinators), "public_reply": public_reply}
    return s.letter("unknown_sender", key, (to,), reply_subject(subject), ctx, public=True,
                    preview="Your email has not been read by anyone, and no one will act on it.",
                    in_reply_to=message_id, auto_submitted="auto-replied")


WRITTEN_LIMIT = 1500  # characters of a stranger's email put before the coordinators


def stranger_notice(s: Stationery, *, key: str, sender: str, subject: str, written: str,
                    answered: bool, inbound_id: int, last: bool = False) -> Letter:
    """Tells the coordinators who wrote in from outside the partnership, and what they wrote
    (quotes already trimmed): it may be a concern about someone, which a person must read.
    Their words are withheld from a coordinator address that gets references only."""
    text = written.strip()
    cut = len(text) > WRITTEN_LIMIT
    if cut:
        text = text[:WRITTEN_LIMIT].rsplit(" ", 1)[0]
    ctx = {**s.base(), "sender": sender, "their_subject": subject[:200], "written": text,
           "cut": cut, "limit": WRITTEN_LIMIT, "answered": answered, "inbound_id": inbound_id, "last": last}
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    return s.letter("stranger_notice", key, to, "mailbot: email from an unknown sender", ctx,
                    secrets=[text, subject[:200]],
                    preview="An email from outside the partnership: a person must read it.")


def notice(s: Stationery, *, key: str, title: str, lines: Sequence[str], secrets: Sequence[str] = ()
           ) -> Letter:
    """A message for the coordinators; it carries only what they need to act."""
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    ctx = {**s.base(), "title": title, "lines": list(lines)}
    return s.letter("notice", key, to, f"mailbot: {title}", ctx, secrets,
                    preview=f"For the coordinators: {title}.")


# -- after the meeting ---------------------------------------------------------


def reference_owner_notice(s: Stationery, *, key: str, chair: str, owner: str, partner: str,
                           actions: Sequence[dict[str, object]]) -> Letter:
    """Tells the coordinators that an action went to an owner whose address gets references
    only, so that someone phones the details through. The action text goes only where the
    coordinators' own level allows it."""
    ids = ", ".join(str(a["id"]) for a in actions)
    lines = [f"{chair} gave {ids} to {owner} ({partner}). That address is sent case references only, "
             "so the owner's emails do not say what the action is.",
             *(f"{a['id']} ({a['case']}), due {a['due']}: {a['text']}" for a in actions),
             f"Please give {owner} the details by phone or the partnership's secure route."]
    ctx = {**s.base(), "title": f"{ids} went to an owner sent references only", "lines": lines}
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    return s.letter("notice", key, to, f"mailbot: {ctx['title']}", ctx,
                    secrets=[str(a["text"]) for a in actions])


def action_rows(s: Stationery, actions: Sequence[ActionView], due_label: Callable[[date], str]
                ) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for a in actions:
        partner = short_name(s.directory.get(a.owner_partner)) if a.owner_partner else "outside the directory"
        rows.append({"id": a.ident, "case": a.case, "owner": a.owner, "partner": partner,
                     "due": due_label(a.due), "text": a.text, "status": a.status, "note": a.last_note})
    return rows


def _report_help(actions: Sequence[dict[str, object]]) -> str:
    """How to report, with the reader's own action id as the example, never a made-up one."""
    ident = str(actions[0]["id"]) if actions else "A-1"
    return f"Done: {ident} | Update: {ident} <news> | Cannot complete: {ident} <reason>"


def summary(s: Stationery, *, day: date, version: str, partner: Partner,
            cases: Sequence[dict[str, object]], actions: list[dict[str, object]]) -> Letter:
    ctx = {**s.base(day), "partner": short_name(partner), "cases": list(cases), "actions": actions,
           "report_help": _report_help(actions)}
    subject = (f"Action plan {short_day(day)}: {len(cases)} case{'s' if len(cases) != 1 else ''}, "
               f"{len(actions)} action{'s' if len(actions) != 1 else ''}")
    return s.letter("summary", f"summary:{s.meeting_id}:{day}:{version}:{partner.code}",
                    partner.emails, subject, ctx, route=True,
                    preview=f"Decisions and actions of {day_words(day)}.")


def owner_actions(s: Stationery, *, day: date, version: str, owner: str,
                  actions: list[dict[str, object]]) -> Letter:
    ctx = {**s.base(day), "owner": owner, "actions": actions, "report_help": _report_help(actions)}
    subject = f"Your actions from {short_day(day)}: {', '.join(str(a['id']) for a in actions)}"
    ids = ", ".join(str(a["id"]) for a in actions)
    return s.letter("owner_actions", f"owner-actions:{s.meeting_id}:{day}:{version}:{owner.lower()}",
                    (owner,), subject, ctx, route=True, preview=f"You own {ids}: reply to report on each.")


def reminder(s: Stationery, *, action: dict[str, object], owner: str, when: str) -> Letter:
    ctx = {**s.base(), "action": action, "when": when, "report_help": _report_help([action])}
    subject = f"Reminder: {action['id']} ({action['case']}) is due {when}"
    return s.letter("reminder", f"reminder:{action['id']}:{when}", (owner,), subject, ctx, route=True,
                    preview=f"{action['id']} for {action['case']} is due {when}.")


def digest(s: Stationery, *, day: date, overdue: list[dict[str, object]]) -> Letter:
    to = [addr for p in s.directory.coordinators() for addr in p.emails]
    ctx = {**s.base(day), "overdue": overdue}
    escalated = sum(1 for o in overdue if o["escalated"])
    subject = (f"Overdue actions {short_day(day)}: {len(overdue)} overdue"
               + (f", {escalated} escalated" if escalated else ""))
    also = f", {escalated} escalated" if escalated else ""
    preview = f"{len(overdue)} overdue{also}, oldest first."
    return s.letter("digest", f"digest:{s.meeting_id}:{day}", to, subject, ctx, preview=preview)


def escalation(s: Stationery, *, partner: Partner, action: dict[str, object], days: int) -> Letter:
    ctx = {**s.base(), "partner": short_name(partner), "action": action, "days": days,
           "report_help": _report_help([action])}
    subject = f"ESCALATED: {action['id']} ({action['case']}) is {days} working days overdue"
    return s.letter("escalation", f"escalation:{action['id']}", partner.emails, subject, ctx, route=True,
                    preview=f"{short_name(partner)}: {action['id']} is {days} working days overdue.")
