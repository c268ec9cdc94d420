"""an index of the agenda by case, so reading a case's days does not scan every agenda

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 23:30:00
"""

from __future__ import annotations

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every reply naming a case joins the agenda by case id, and its unique key leads with the
    # meeting and day: without this the join read the whole agenda, once a reply, so a backlog
    # slowed as the agenda grew.
    op.create_index('ix_agenda_case_id', 'agenda', ['case_id'])


def downgrade() -> None:
    op.drop_index('ix_agenda_case_id', 'agenda')
