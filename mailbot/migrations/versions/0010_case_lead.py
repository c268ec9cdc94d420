"""a case's lead coordinating professional ("Lead HR-2026-0041: ...")

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, away from batch mode, as in 0006: the cases table is never copied.
    op.add_column('cases', sa.Column('lead', sa.String(320), nullable=True))


def downgrade() -> None:
    op.drop_column('cases', 'lead')
