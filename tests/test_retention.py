"""Retention and the audit trail, on a real SQLite database with the clock injected."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from mailbot.cli import main
from mailbot.services import Outcome, Services
from tests.rig import database
from tests.test_services import LONDON, at, make, reply

pytestmark = pytest.mark.usefixtures("database")

POLICE = "mash@met.police.example"


def new_case(s: Services, initials: str, concern: str, mid: str) -> None:
    assert s.ingest(reply(POLICE, f"Case: {initials} - {concern}\nPartners: ASBIT", mid)) == Outcome.APPLIED


def test_the_audit_log_cannot_be_changed_or_deleted(tmp_path: Path) -> None:
    s = make(tmp_path, at(23, "10:05"))
    new_case(s, "T.W.", "threats to a neighbour", "<a@p>")
    for sql in ("UPDATE audit SET actor = 'someone-else'", "DELETE FROM audit"):
        with pytest.raises(DatabaseError, match="append-only"), s.store.transaction() as tx:
            tx.conn.exec_driver_sql(sql)
    with s.store.transaction() as tx:
        [entry] = [e for e in tx.audit.log("HR-2026-0001") if e["action"] == "case added"]
    assert entry["actor"] == POLICE and entry["message_key"] == "<a@p>"
    assert entry["fields"]["concern"] == "threats to a neighbour"


def test_no_code_path_updates_or_deletes_audit_entries() -> None:
    from tests.conftest import ROOT

    for path in (ROOT / "mailbot").rglob("*.py"):
        if "migrations" in path.parts:
            continue  # 0005 moves old personal details out, once, then adds the triggers
        text = path.read_text(encoding="utf-8")
        for needle in ("update(t.audit)", "delete(t.audit)", "UPDATE audit", "DELETE FROM audit"):
            assert needle not in text, f"{path.name} has {needle}"


def test_purge_deletes_old_personal_details_and_keeps_the_trail_and_idempotency(tmp_path: Path) -> None:
    s = make(tmp_path, at(1, "10:05", month=10).replace(year=2025))
    new_case(s, "O.L.", "old concern about a flat", "<old@p>")
    with s.store.transaction() as tx:  # as the drain would have recorded them
        tx.conn.exec_driver_sql("update outbox set status = 'sent'")
    s.clock.set(at(23, "10:05"))  # type: ignore[attr-defined]
    new_case(s, "N.W.", "new concern this week", "<new@p>")
    counts = s.purge()
    assert counts["cases"] == 1 and counts["emails received"] == 1 and counts["audit details"] >= 1
    with s.store.transaction() as tx:
        cases = tx.conn.exec_driver_sql("select reference, subject, concern from cases order by id").fetchall()
        raws = tx.conn.exec_driver_sql("select message_key, length(raw), subject from inbound order by id").fetchall()
        old_trail = tx.audit.log("HR-2025-0001")
        new_trail = tx.audit.log("HR-2026-0001")
        sent = tx.conn.exec_driver_sql("select length(raw), subject from outbox join outbox_raw using (key) "
                                       "where created_at < '2026-01-01'").fetchall()
    assert [tuple(c) for c in cases] == [("HR-2025-0001", "", ""),
                                         ("HR-2026-0001", "N.W.", "new concern this week")]
    assert [tuple(r) for r in raws] == [("<old@p>", 0, ""), ("<new@p>", raws[1][1], "RE: Case call")]
    assert raws[1][1] > 0
    # The trail still says who added the old case, when, and from which email; not what it said.
    [added] = [e for e in old_trail if e["action"] == "case added"]
    assert added["actor"] == POLICE and added["message_key"] == "<old@p>"
    assert "O.L." not in json.dumps(old_trail, default=str) and "old concern" not in json.dumps(old_trail, default=str)
    assert any(e["fields"].get("concern") == "new concern this week" for e in new_trail)
    assert sent and all(n == 0 and subject == "" for n, subject in sent)
    # The old email is still known: if the server offered it again it would not be applied twice.
    assert s.ingest(reply(POLICE, "Case: O.L. - old concern about a flat\nPartners: ASBIT", "<old@p>")) \
        == Outcome.DUPLICATE
    with s.store.transaction() as tx:
        purges = [e for e in tx.audit.log() if e["action"] == "records purged"]
    assert len(purges) == 1 and purges[0]["fields"]["counts"]["cases"] == 1


def test_a_case_with_an_open_action_keeps_its_details(tmp_path: Path) -> None:
    s = make(tmp_path, at(1, "10:05", month=10).replace(year=2025))
    new_case(s, "K.P.", "kept while work goes on", "<k@p>")
    s.by_hand("Action: HR-2025-0001 | mash@met.police.example | 31/12/2025 | visit", "cli:chair")
    s.clock.set(at(23, "10:05"))  # type: ignore[attr-defined]
    assert s.purge()["cases"] == 0
    with s.store.transaction() as tx:
        assert tx.conn.exec_driver_sql("select subject from cases").scalar() == "K.P."


def test_the_daily_purge_runs_once_from_its_time(tmp_path: Path) -> None:
    s = make(tmp_path, datetime(2026, 11, 23, 2, 29, tzinfo=LONDON))
    assert s.housekeeping() == []
    s.clock.set(datetime(2026, 11, 23, 2, 30, tzinfo=LONDON))  # type: ignore[attr-defined]
    assert s.housekeeping() == ["purge 2026-11-23"]
    assert s.housekeeping() == []
    s.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=LONDON))  # down at 02:30: purged when back
    assert s.housekeeping() == ["purge 2026-11-24"]


def test_retention_counts_calendar_months(tmp_path: Path) -> None:
    s = make(tmp_path, datetime(2026, 3, 31, 12, 0, tzinfo=LONDON))
    assert s.retention_start(s.clock.now()).date().isoformat() == "2025-02-28"


def test_mailbot_audit_shows_who_when_and_the_source_email(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    s = make(tmp_path, at(23, "10:05"))
    new_case(s, "T.W.", "threats to a neighbour", "<a1@partner.example>")
    s.ingest(reply(POLICE, "Partners for HR-2026-0001: CNWL", "<a2@partner.example>"))
    config = tmp_path / "mailbot.toml"
    from tests.conftest import EXAMPLE_CONFIG

    config.write_text(EXAMPLE_CONFIG.read_text().replace("sqlite:///mailbot.db",
                                                         database.url_of(s.store.engine)))  # type: ignore[attr-defined]
    assert main(["--config", str(config), "audit", "--case", "hr-2026-0001"]) == 0
    out = capsys.readouterr().out
    header, added, required, count = out.splitlines()
    assert header.split() == ["time", "who", "case", "what", "details"]
    assert added.startswith("2026-11-23 10:05  mash@met.police.example (police)  HR-2026-0001  case added  ")
    assert "from email <a1@partner.example> sent by mash@met.police.example" in added
    assert "partners required" in required and "<a2@partner.example>" in required
    assert count == "2 entries for HR-2026-0001"
    assert main(["--config", str(config), "audit", "--since", "2026-11-24"]) == 0
    assert capsys.readouterr().out.strip() == "0 entries since 2026-11-24"
    monkeypatch.setenv("MAILBOT_ACTOR", "coordinator1")
    assert main(["--config", str(config), "purge"]) == 0
    assert "the audit trail is kept" in capsys.readouterr().out
    assert main(["--config", str(config), "audit"]) == 0
    purged = capsys.readouterr().out.splitlines()[-2]
    assert purged.split()[2:6] == ["cli:coordinator1", "-", "records", "purged"], purged
    assert "emails received 0, emails sent 0" in purged


def test_upgrading_moves_personal_details_out_of_existing_audit_entries(tmp_path: Path) -> None:
    from mailbot.adapters.db import Store, upgrade

    engine = database.engine(tmp_path, migrated=False)
    with database.migrated(engine, "0004") as conn:
        conn.execute(text(
            "insert into audit (at, meeting, actor, partner, action, reference, detail) values "
            "('2026-01-05 10:00:00', 'daily', 'mash@met.police.example', 'police', 'case added', "
            "'HR-2026-0001', '{\"subject\": \"T.W.\", \"concern\": \"threats\", \"day\": \"2026-01-05\"}')"))
    upgrade(engine)
    with Store(engine).transaction() as tx:
        stored = tx.conn.exec_driver_sql("select detail from audit").scalar()
        [entry] = tx.audit.log("HR-2026-0001")
    assert json.loads(stored) == {"day": "2026-01-05"}
    assert entry["fields"] == {"day": "2026-01-05", "subject": "T.W.", "concern": "threats"}
    with pytest.raises(DatabaseError, match="append-only"), Store(engine).transaction() as tx:
        tx.conn.exec_driver_sql("update audit set detail = '{}'")
