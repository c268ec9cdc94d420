"""``mailbot panel log``: what the panel decided on each referral, for the council's records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.test_panel_config import PANEL_EXAMPLE
from tests.test_panel_services import CHAIR, HOUSING, POLICE, at, panel, run_days, send


def test_the_log_lists_accepted_declined_and_returned_with_referrer_and_justification(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = panel(tmp_path)
    send(s, HOUSING, "Case: J.B. - hoarding, fire risk", at(date(2026, 12, 1), "09:00"))
    send(s, POLICE, "Case: K.L. - repeated ASB at the flats", at(date(2026, 12, 2), "09:00"))
    send(s, HOUSING, "Case: M.N. - neighbour dispute", at(date(2026, 12, 2), "10:00"))
    run_days(s, date(2026, 12, 1), date(2026, 12, 7))
    send(s, CHAIR, "Return CCP-2026-0002: the GP's view", at(date(2026, 12, 7), "09:00"))
    send(s, CHAIR, "Decision CCP-2026-0001: accepted\n"
                   "Decision CCP-2026-0003: declined - a civil matter for mediation", at(date(2026, 12, 8), "15:00"))
    cfg = tmp_path / "panel.toml"
    cfg.write_text(PANEL_EXAMPLE.read_text(encoding="utf-8").replace(
        'url = "sqlite:///mailbot-panel.db"', f'url = "sqlite:///{tmp_path / "db.sqlite"}"'))
    assert main(["--config", str(cfg), "panel", "log", "--meeting", "panel",
                 "--from", "2026-12-01", "--to", "2026-12-31"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:4] for line in lines[:3]] == [
        ["2026-12-08", "CCP-2026-0002", "Police", "returned"],
        ["2026-12-08", "CCP-2026-0001", "Housing", "accepted"],
        ["2026-12-08", "CCP-2026-0003", "Housing", "declined"],
    ]
    assert lines[0].endswith("the GP's view") and lines[2].endswith("a civil matter for mediation")
    assert lines[3] == "3 decisions of panel from 2026-12-01 to 2026-12-31"
    assert main(["--config", str(cfg), "panel", "log", "--meeting", "nope"]) == 1
