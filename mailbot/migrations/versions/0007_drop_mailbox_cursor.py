"""drop mailbox_cursor: never written or read (the mailbox itself holds the position)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('mailbox_cursor')


def downgrade() -> None:
    op.create_table('mailbox_cursor',
                    sa.Column('folder', sa.String(length=200), nullable=False),
                    sa.Column('uidvalidity', sa.Integer(), nullable=False),
                    sa.Column('last_uid', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('folder', name=op.f('pk_mailbox_cursor')))
