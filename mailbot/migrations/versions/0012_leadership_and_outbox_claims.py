"""one active process out of two: the leadership row (its epoch fences every write of the active
process), and when each outbox row was claimed for sending (an email in doubt after a handover is
judged only once the old process can no longer be sending it)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mailbot.adapters.schema import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'leadership',
        sa.Column('name', sa.String(32), nullable=False),
        sa.Column('epoch', sa.Integer(), nullable=False),
        sa.Column('holder', sa.String(200), nullable=False),
        sa.Column('since', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name='pk_leadership'),
    )
    # Plain ADD COLUMN, as in 0006: no batch copy of the table.
    op.add_column('outbox', sa.Column('claimed_at', UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('outbox', 'claimed_at')
    op.drop_table('leadership')
