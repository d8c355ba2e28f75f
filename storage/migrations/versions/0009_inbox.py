"""inbox: updates recorded but not yet answered; outbox rows that are answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

import storage.types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'inbox',
        sa.Column('entry_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('update_id', sa.BigInteger(), nullable=True),
        sa.Column('received_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_inbox')),
    )
    op.create_index('ix_inbox_chat', 'inbox', ['chat_id', 'update_id'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('answer')
    op.drop_index('ix_inbox_chat', table_name='inbox')
    op.drop_table('inbox')
