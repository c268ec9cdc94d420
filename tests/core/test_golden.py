"""Golden emails: every .eml in tests/data/inbound is read exactly as its .expected.json says.

The expected files were written from the bot's reading and then checked line by
line by a person; a change in how any of them is read fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailbot.config import Settings
from mailbot.core.inbound import Context, read_parsed
from mailbot.core.message import parse
from mailbot.explain import as_dict
from tests.conftest import DATA

GOLDEN = sorted((DATA / "inbound").glob("*.eml"))


def test_there_are_enough_golden_emails() -> None:
    assert len(GOLDEN) >= 40


def reading_of(path: Path, settings: Settings) -> dict[str, object]:
    mail = parse(path.read_bytes())
    assert mail.date is not None, f"{path.name} needs a Date header"
    ctx = Context(settings.bot.address, settings.directory, "HR",
                  mail.date.astimezone(settings.bot.zone).date())
    got = as_dict(read_parsed(mail, ctx))
    got.pop("message_id")
    got.pop("subject")
    return got


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_email_is_read_as_expected(path: Path, settings: Settings) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    assert reading_of(path, settings) == expected


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_no_quoted_case_line_of_the_bot_is_ever_read(path: Path, settings: Settings) -> None:
    # The quoted case call lists T.W. and M.K.; neither may come back as a new case
    # unless the sender wrote it above the quote.
    got = reading_of(path, settings)
    text = str(got["new_text"])
    assert "Please reply above this line" not in text
    assert "Cases for today" not in text
    assert "e.g." not in text
