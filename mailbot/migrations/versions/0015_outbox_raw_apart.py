"""each queued email's bytes in a table of their own, so recording its status does not rewrite them

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite stores a row as one record: setting an outbox row's status or claim time wrote
    # its whole email again, two or three times over for every email sent.
    op.create_table(
        'outbox_raw',
        sa.Column('key', sa.String(300), nullable=False),
        sa.Column('raw', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['key'], ['outbox.key'], name='fk_outbox_raw_key_outbox'),
        sa.PrimaryKeyConstraint('key', name='pk_outbox_raw'),
    )
    op.execute("INSERT INTO outbox_raw (key, raw) SELECT key, raw FROM outbox")
    # Plain DROP COLUMN (SQLite 3.35 and later), as 0012's downgrade: a batch copy of the
    # table is what silently dropped triggers elsewhere.
    op.drop_column('outbox', 'raw')


def downgrade() -> None:
    op.add_column('outbox', sa.Column('raw', sa.LargeBinary(), nullable=False, server_default=sa.text("''")))
    op.execute("UPDATE outbox SET raw = COALESCE("
               "(SELECT raw FROM outbox_raw WHERE outbox_raw.key = outbox.key), raw)")
    op.drop_table('outbox_raw')
