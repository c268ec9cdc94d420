"""Alembic environment: mailbot passes an open connection in config.attributes."""

from __future__ import annotations

from alembic import context

from mailbot.adapters.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through 'mailbot db upgrade'")
# render_as_batch lets SQLite alter tables by copy-and-move.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
