"""Due dates, day first."""

from __future__ import annotations

from datetime import date

import pytest

from mailbot.core.dates import DateError, parse_date

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/11/2026", date(2026, 11, 27)),
        ("27/11/26", date(2026, 11, 27)),
        ("2026-11-27", date(2026, 11, 27)),
        ("27 Nov", date(2026, 11, 27)),
        ("27th November 2026", date(2026, 11, 27)),
        ("3/12/2026", date(2026, 12, 3)),  # 3 December, never 12 March
        ("friday", date(2026, 11, 27)),
        ("Monday", date(2026, 11, 30)),  # the next one after the email's date
        ("tomorrow", date(2026, 11, 24)),
        ("5 Jan", date(2027, 1, 5)),  # no year: the next 5 January
    ],
)
def test_dates_read_day_first(text: str, expected: date) -> None:
    assert parse_date(text, MONDAY) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "soon", "13/13/2026", ""])
def test_impossible_or_vague_dates_are_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, MONDAY)
