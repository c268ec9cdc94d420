"""A whole fortnight on a real database in which a partner on a reference-level domain (HIDVA)
takes part in everything: no email to it may carry initials, a concern or action text, from any
source (its own words, another partner's case, a quoted chain, the chair's plan, reminders,
the digest's escalation)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mailbot.services import Services
from tests.test_conversation import CHAIR, CNWL, HIDVA, POLICE, ingest, mail, sent, text
from tests.test_services import at, make

pytestmark = pytest.mark.usefixtures("database")
# Everything said about a person during the fortnight. None of it may reach HIDVA's domain.
SECRETS = ["Q.X.", "knife threats", "Z.V.", "self-neglect", "hoarding", "Y.U.", "coercive control",
           "W.R.", "stalked", "Safety plan", "refuge", "court hearing", "Visit and assess", "hospital"]

OUTLOOK_CHAIN = """Nothing new from HIDVA today, thanks.

From: Police MASH <mash@met.police.example>
Sent: 23 November 2026 09:00
To: Hillingdon High Risk Case Discussion <highrisk-bot@hillingdon.example>
Cc: referrals@hidva.example
Subject: RE: Case call

Case: Q.X. - knife threats towards a neighbour
Partners: HIDVA, CNWL
"""

GMAIL_CHAIN = """Agreed with Police.

On Mon, 23 Nov 2026 at 09:10, CNWL <cnwl.highrisk@cnwl.example> wrote:
> Case: Z.V. - self-neglect, hoarding, fire risk
> Thanks
"""


def run(s: Services, day: int, month: int = 11) -> None:
    for hhmm in ("10:00", "11:30", "16:00"):
        s.clock.set(at(day, hhmm, month))  # type: ignore[attr-defined]
        s.due()


def test_nothing_about_a_person_reaches_a_reference_level_address(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "09:00"))
    ingest(s, at(23, "09:00"), mail(POLICE, "Case: Q.X. - knife threats towards a neighbour\n"
                                            "Partners: HIDVA, CNWL", "p1"))
    ingest(s, at(23, "09:10"), mail(CNWL, "Case: Z.V. - self-neglect, hoarding, fire risk", "c1"))
    run(s, 23)
    ingest(s, at(23, "10:20"), mail(HIDVA, OUTLOOK_CHAIN, "h1"))
    ingest(s, at(23, "10:21"), mail(HIDVA, GMAIL_CHAIN, "h2"))
    ingest(s, at(23, "10:25"), mail(HIDVA, "Case: Y.U. - coercive control, escalating", "h3"))
    ingest(s, at(23, "10:30"), mail(HIDVA, "Case Y.U. coercive control", "h4"))
    ingest(s, at(23, "10:35"), mail(HIDVA, "Can we also talk about W.R., who was stalked last week by "
                                           "her ex?", "h5"))
    ingest(s, at(23, "10:40"), mail(HIDVA, "Apologies for HR-2026-0001: court hearing", "h6"))
    ingest(s, at(23, "10:45"), mail(HIDVA, "", "h7", subject="status"))
    run(s, 23)
    plan = ("Decision HR-2026-0001: accepted\n"
            "Action: HR-2026-0001 | referrals@hidva.example | 25/11/2026 | Safety plan with Q.X., "
            "refuge referral\n"
            "Action: HR-2026-0002 | mash@met.police.example | 25/11/2026 | Visit and assess Z.V. at "
            "home with hospital discharge team")
    ingest(s, at(23, "13:30"), mail(CHAIR, plan, "chair1", "Minutes"))
    ingest(s, at(24, "09:00"), mail(HIDVA, "Update A-1 refuge place found, awaiting a date", "h8"))
    for offset in range(1, 14):  # reminders, the digest and the escalation of
        day = at(24, "09:00") + timedelta(days=offset)
        run(s, day.day, day.month)

    to_hidva = [(m["Subject"], text(m)) for _, r, m in sent(s)
                if any(a.endswith("@hidva.example") for a in r.split(","))]
    kinds = {k.split(":")[0] for k, r, _ in sent(s) if "hidva.example" in r}
    # The fortnight reached HIDVA in every kind of email it can get...
    assert {"case-call", "attendance", "ack", "owner-actions", "summary", "reminder",
            "escalation"} <= kinds, kinds
    # ...and not one of them carried anything said about a person.
    for subject, body in to_hidva:
        for secret in SECRETS:
            assert secret not in str(subject) and secret not in body, (secret, subject, body)
    # While the secure addresses got the details they need.
    police = [text(m) for _, r, m in sent(s) if r == POLICE]
    assert any("knife threats towards a neighbour" in b for b in police)
