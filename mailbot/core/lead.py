"""``Lead <ref>: <email>``: a case's lead coordinating professional, named by a coordinator of
the case's meeting or by the referrer, and shown wherever the case is (agendas, action plans,
``cases show``) so that partners know whom to ring between meetings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from mailbot.core.agenda import CaseView
from mailbot.core.directory import Directory
from mailbot.core.model import Sender, SetLead
from mailbot.core.readers import Parse


@dataclass(frozen=True, slots=True)
class LeadSet:
    """A change: the case's lead is now ``lead``."""

    reference: str
    lead: str
    was: str  # the lead before, "" when none was named


def lead(p: Parse, ref: str, rest: str, line: int) -> None:
    """``Lead HR-2026-0041: jane.smith@met.police.example``: one email address, never a guess."""
    case = p.reference(ref, line)
    address = rest.strip().strip("<>").strip()
    try:
        found = validate_email(address, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError:
        p.clarify(line, p.said, f"Lead {case or ref.strip()}: <email address>",
                  "the lead is named by their email address")
        return
    if case:
        p.commands.append(SetLead(case, found, line))


def plan_lead(command: SetLead, sender: Sender, known: Mapping[str, CaseView], directory: Directory
              ) -> tuple[LeadSet | None, str, bool]:
    """The change ``command`` makes (None: none), the line that says what came of it, and
    whether that line is a problem for the sender."""
    case = known.get(command.case)
    at = f"line {command.line}: "
    if case is None:
        return None, f"{at}{command.case} is not a case of this meeting; no lead was recorded", True
    if not (sender.coordinator or sender.partner == case.referrer):
        referrer = directory.get(case.referrer).name if case.referrer else "the coordinator"
        return None, (f"{at}only the referrer ({referrer}) or a coordinator may name the lead of "
                      f"{command.case}; nothing was changed"), True
    if case.lead.casefold() == command.lead.casefold():
        return None, f"{command.case}: {command.lead} is already the lead; nothing changed", False
    was = f" (was {case.lead})" if case.lead else ""
    return LeadSet(command.case, command.lead, case.lead), \
        f"{command.case}: the lead coordinating professional is now {command.lead}{was}", False

