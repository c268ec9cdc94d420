"""personal details of audit entries in their own table; the audit log refuses UPDATE and DELETE

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from mailbot.adapters.schema import UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

PERSONAL = ("subject", "concern", "text", "note", "rationale")


def upgrade() -> None:
    op.create_table(
        'audit_personal',
        sa.Column('audit_id', sa.Integer(), nullable=False),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_audit_personal_audit_id_audit')),
        sa.PrimaryKeyConstraint('audit_id', name=op.f('pk_audit_personal')),
    )
    # Move what earlier versions wrote about people out of the audit entries, once, here:
    # after this, nothing rewrites an audit entry.
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, at, detail FROM audit")).fetchall()
    for row in rows:
        try:
            detail = json.loads(row.detail or "{}")
        except ValueError:
            continue
        personal = {k: detail.pop(k) for k in PERSONAL if k in detail}
        if personal:
            conn.execute(sa.text("UPDATE audit SET detail = :d WHERE id = :i"),
                         {"d": json.dumps(detail, ensure_ascii=False), "i": row.id})
            conn.execute(sa.text("INSERT INTO audit_personal (audit_id, at, detail) VALUES (:i, :a, :d)"),
                         {"i": row.id, "a": row.at, "d": json.dumps(personal, ensure_ascii=False)})
    if conn.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_no_{verb.lower()} BEFORE {verb} ON audit "
                       f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    elif conn.dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$")
        op.execute("CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
                   "FOR EACH ROW EXECUTE FUNCTION audit_append_only()")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    elif conn.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_append_only ON audit")
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
    op.drop_table('audit_personal')
