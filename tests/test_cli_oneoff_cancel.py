"""``mailbot meeting cancel``: a one-off meeting cancelled at the terminal, audited with the
person's name, gone from the list and shown cancelled in the case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mailbot.cli import main
from tests.test_cli_oneoff import desk

__all__ = ["desk"]  # the fixture, shared


def test_a_meeting_cancelled_at_the_terminal_leaves_the_list_and_shows_cancelled(
        desk: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, ref = desk
    day = date.today() + timedelta(days=7)
    for at in ("14:00", "16:00"):
        assert main(["--config", cfg, "meeting", "call", ref, "--at", f"{day:%d/%m/%Y} {at}",
                     "--partners", "police,cnwl", "--as", "jsmith"]) == 0
    capsys.readouterr()
    cancel = ["--config", cfg, "meeting", "cancel", ref, "--reason", "family moved away", "--as", "jsmith"]
    assert main(cancel) == 1  # two to come: which?
    assert "2 one-off meetings to come" in capsys.readouterr().err
    assert main([*cancel, "--at", f"{day:%d/%m/%Y} 14:00"]) == 0
    assert f"Cancelled the strategy discussion for {ref} on" in capsys.readouterr().out
    assert main(["--config", cfg, "meeting", "list"]) == 0
    listed = capsys.readouterr().out
    assert " 14:00 " not in listed and " 16:00 " in listed and "1 one-off meeting(s) to come" in listed
    assert main(["--config", cfg, "cases", "show", ref]) == 0
    shown = capsys.readouterr().out
    assert f"one-off meeting: {day:%a %d %b %Y} 14:00  {ref}  strategy discussion  (cancelled)" in shown
    assert "meeting cancelled" in shown and "cli:jsmith" in shown
    assert main([*cancel, "--at", f"{day:%d/%m/%Y} 14:00"]) == 1  # already cancelled: nothing to do
    assert "has no one-off meeting to come then" in capsys.readouterr().err
