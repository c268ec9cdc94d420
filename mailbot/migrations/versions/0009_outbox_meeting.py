"""the meeting each sent email is from, so that a reply is routed to it by its thread

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Emails sent before this have no meeting: a reply to one is routed by what it says,
    # which for a deployment of one meeting is that meeting, as before.
    op.add_column('outbox', sa.Column('meeting', sa.String(32), nullable=True))
    op.create_index('ix_outbox_message_id', 'outbox', ['message_id'])


def downgrade() -> None:
    op.drop_index('ix_outbox_message_id', 'outbox')
    op.drop_column('outbox', 'meeting')
