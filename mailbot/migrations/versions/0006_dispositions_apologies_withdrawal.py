"""every inbound email's disposition, apologies for a meeting, a case withdrawn from an agenda

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mailbot.adapters.schema import UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): batch mode's copy would be harmless here, but the
    # audit table's triggers must never meet it, so this stays away from batch mode.
    op.add_column('inbound', sa.Column('disposition', sa.String(16), nullable=True))
    op.add_column('inbound', sa.Column('forwarded', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('inbound', sa.Column('content_key', sa.String(80), nullable=True))
    op.create_index('ix_inbound_content_key', 'inbound', ['content_key'])
    op.add_column('agenda', sa.Column('withdrawn', sa.Text(), nullable=True))
    op.create_table(
        'apologies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting', sa.String(32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('partner', sa.String(32), nullable=False),
        sa.Column('reference', sa.String(32), nullable=False, server_default=''),
        sa.Column('reason', sa.Text(), nullable=False, server_default=''),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(320), nullable=False),
        sa.Column('inbound_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['inbound_id'], ['inbound.id'], name='fk_apologies_inbound_id_inbound'),
        sa.PrimaryKeyConstraint('id', name='pk_apologies'),
        sa.UniqueConstraint('meeting', 'day', 'partner', 'reference', name='uq_apologies_meeting'),
    )


def downgrade() -> None:
    op.drop_table('apologies')
    op.drop_column('agenda', 'withdrawn')
    op.drop_index('ix_inbound_content_key', 'inbound')
    op.drop_column('inbound', 'content_key')
    op.drop_column('inbound', 'forwarded')
    op.drop_column('inbound', 'disposition')
