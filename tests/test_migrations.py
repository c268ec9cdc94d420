"""The migrations build exactly the tables the code describes, on a real SQLite database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from mailbot.adapters import schema
from mailbot.adapters.db import connect, upgrade


def test_the_migrated_database_has_exactly_the_described_tables_and_columns(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    found = inspect(engine)
    tables = set(found.get_table_names()) - {"alembic_version"}
    assert tables == set(schema.metadata.tables)
    for name, table in schema.metadata.tables.items():
        assert {c["name"] for c in found.get_columns(name)} == {c.name for c in table.columns}, name
    engine.dispose()
