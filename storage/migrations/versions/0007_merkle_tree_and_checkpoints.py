"""Merkle tree leaves over the audit log and signed checkpoints; leaves computed for existing entries

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from domain.evidence.leaves import leaf_hashes_of
from storage.types import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The audit columns as they stand at this revision (not the live model, which may grow later).
_audit = sa.table(
    'audit_log', sa.column('seq', sa.BigInteger), sa.column('kind', sa.String), sa.column('bot_id', sa.BigInteger),
    sa.column('update_id', sa.BigInteger), sa.column('chat_id', sa.BigInteger), sa.column('actor_id', sa.BigInteger),
    sa.column('message_id', sa.BigInteger), sa.column('version', sa.Integer), sa.column('entity', sa.String),
    sa.column('telegram_time', UTCDateTime), sa.column('recorded_at', UTCDateTime), sa.column('text', sa.Text),
    sa.column('payload', sa.Text), sa.column('prev_hash', sa.String), sa.column('hash', sa.String))


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds") if value is not None else None


def upgrade() -> None:
    leaves = op.create_table('audit_leaves',
    sa.Column('leaf_index', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('leaf_index', name=op.f('pk_audit_leaves'))
    )
    with op.batch_alter_table('audit_leaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_leaves_seq'), ['seq'], unique=False)
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tree_size', sa.BigInteger(), nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('signed', sa.Boolean(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoints_created_at'), ['created_at'], unique=False)

    # The tree over the entries already in the log, in seq order, in batches.
    bind = op.get_bind()
    index, after = 0, 0
    while True:
        rows = bind.execute(sa.select(_audit).where(_audit.c.seq > after).order_by(_audit.c.seq).limit(2000)).all()
        if not rows:
            break
        batch = []
        for row in rows:
            fields = dict(row._mapping)
            fields['telegram_time'], fields['recorded_at'] = _iso(fields['telegram_time']), _iso(fields['recorded_at'])
            for kind, digest in leaf_hashes_of(fields):
                batch.append({'leaf_index': index, 'seq': row.seq, 'kind': kind, 'hash': digest.hex()})
                index += 1
        op.bulk_insert(leaves, batch)
        after = rows[-1].seq


def downgrade() -> None:
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoints_created_at'))
    op.drop_table('audit_checkpoints')
    with op.batch_alter_table('audit_leaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_leaves_seq'))
    op.drop_table('audit_leaves')
