"""PostgreSQL: the audit chain's lock and head in one statement (audit_chain_head)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# storage.audit calls it first in a transaction that appends. Every instance's appends wait for
# this lock, so each round trip made while holding it counts: the lock and the read were two.
# A VOLATILE function's statements each see what committed before they began, so the read after
# PERFORM sees every append committed before the lock was granted — one statement cannot.
_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_chain_head(lock_key bigint, of_bot bigint, of_update bigint)
RETURNS TABLE (last_seq bigint, last_hash varchar, last_leaf bigint, recorded_id bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY
    SELECT last.seq, (SELECT a.hash FROM audit_log a WHERE a.seq = last.seq)::varchar,
           (SELECT max(l.leaf_index) FROM audit_leaves l),
           CASE WHEN of_update IS NULL THEN NULL::bigint
                WHEN of_bot IS NULL THEN (SELECT a.id FROM audit_log a WHERE a.bot_id IS NULL AND a.update_id = of_update)
                ELSE (SELECT a.id FROM audit_log a WHERE a.bot_id = of_bot AND a.update_id = of_update) END
    FROM (SELECT max(a.seq) AS seq FROM audit_log a) last;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head(bigint, bigint, bigint)")
