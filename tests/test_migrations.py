"""The migrations build exactly the tables the code describes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from mailbot.adapters import schema
from mailbot.adapters.db import upgrade
from mailbot.adapters.engine import MIGRATIONS, newest_migration
from tests.rig import database

pytestmark = pytest.mark.usefixtures("database")


def test_the_migrated_database_has_exactly_the_described_tables_and_columns(tmp_path: Path) -> None:
    engine = database.engine(tmp_path, migrated=False)
    upgrade(engine)
    found = inspect(engine)
    tables = set(found.get_table_names()) - {"alembic_version"}
    assert tables == set(schema.metadata.tables)
    for name, table in schema.metadata.tables.items():
        assert {c["name"] for c in found.get_columns(name)} == {c.name for c in table.columns}, name


def test_each_migration_is_numbered_as_its_file_so_the_newest_is_known_without_alembic() -> None:
    files = sorted((MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    numbers = [p.name[:4] for p in files]
    for n, path in enumerate(files):
        text = path.read_text(encoding="utf-8")
        assert re.search(rf"^revision = ['\"]{numbers[n]}['\"]", text, re.M), path.name
        before = f"['\"]{numbers[n - 1]}['\"]" if n else "None"
        assert re.search(rf"^down_revision = {before}", text, re.M), path.name
    assert newest_migration() == numbers[-1]


def test_a_database_already_up_to_date_is_opened_without_loading_the_migrations(tmp_path: Path) -> None:
    url = database.url_of(database.engine(tmp_path))
    # A fresh process: what a restarted service loads to open the database it already has.
    script = ("import sys\nfrom mailbot.adapters.engine import connect, upgrade, schema_version\n"
              f"e = connect({url!r}); upgrade(e)\nprint(schema_version(e), 'alembic' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == [newest_migration(), "False"]


def test_emails_queued_before_their_bytes_moved_apart_are_still_sent_and_move_back(tmp_path: Path) -> None:
    from sqlalchemy import text

    from mailbot.adapters.db import Store

    engine = database.engine(tmp_path, migrated=False)
    raw = b"Subject: Case call\r\n\r\nstill waiting to go\r\n"
    with database.migrated(engine, "0014") as conn:
        conn.execute(text(
            "insert into outbox (key, message_id, recipients, subject, raw, status, attempts, "
            "next_attempt_at, created_at) values ('case-call:daily:2026-11-23:police', '<m@bot>', "
            "'mash@met.police.example', 'Case call', :raw, 'pending', 0, "
            "'2026-11-23 10:00:00', '2026-11-23 10:00:00')"), {"raw": raw})
    upgrade(engine)
    with Store(engine).transaction() as tx:
        [row] = tx.outbox.due(datetime(2026, 11, 23, 10, 1, tzinfo=UTC))
    assert (row.key, row.raw, row.recipients) == ("case-call:daily:2026-11-23:police", raw,
                                                 ("mash@met.police.example",))
    with database.migrated(engine, "0014", down=True) as conn:
        assert conn.execute(text("select raw from outbox")).scalar() == raw
