"""one-off sittings of a meeting for one case (strategy discussions, professionals' and
best-interest meetings): who called them, for when, and whom they invited

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mailbot.adapters.schema import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sittings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting', sa.String(32), nullable=False),
        sa.Column('reference', sa.String(32), nullable=False),
        sa.Column('kind', sa.String(64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('starts', sa.String(5), nullable=False),
        sa.Column('partners', sa.Text(), nullable=False),
        sa.Column('called_by', sa.String(320), nullable=False),
        sa.Column('called_from', sa.String(300), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_sittings'),
        sa.UniqueConstraint('meeting', 'reference', 'day', 'starts', name='uq_sittings_meeting'),
    )


def downgrade() -> None:
    op.drop_table('sittings')
