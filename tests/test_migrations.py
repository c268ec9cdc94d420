"""The migrations build exactly the tables the code describes, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from mailbot.adapters import schema
from mailbot.adapters.db import upgrade
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
