"""minutes of a meeting: who attended, when its action plan last changed and was summarised

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mailbot.adapters.schema import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'minutes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting', sa.String(32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('attended', sa.Text(), nullable=False, server_default=''),
        sa.Column('changed_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('summarised_at', UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_minutes'),
        sa.UniqueConstraint('meeting', 'day', name='uq_minutes_meeting'),
    )


def downgrade() -> None:
    op.drop_table('minutes')
