"""a case's category (a daily risk meeting's), and room for the decision "strategy discussion"

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: every case so far belongs to a meeting with no categories.
    op.add_column('cases', sa.Column('category', sa.String(64), nullable=False, server_default=''))
    # SQLite does not hold a VARCHAR to its length (and would need a table copy to change it).
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('decisions', 'decision', type_=sa.String(32), existing_type=sa.String(16),
                        existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('decisions', 'decision', type_=sa.String(16), existing_type=sa.String(32),
                        existing_nullable=False)
    op.drop_column('cases', 'category')
