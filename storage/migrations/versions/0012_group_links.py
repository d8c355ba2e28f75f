"""groups: store groups and the clerks' desk group with its topics; outbox rows posted in a topic

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

import storage.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'group_links',
        sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('role', sa.String(length=12), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=True),
        sa.Column('title', storage.types.FreeText(), nullable=True),
        sa.Column('topics', sa.Text(), nullable=True),
        sa.Column('linked_by', sa.Integer(), nullable=True),
        sa.Column('linked_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('told_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('migrated_from', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_group_links_store_id_stores')),
        sa.ForeignKeyConstraint(['linked_by'], ['users.id'], name=op.f('fk_group_links_linked_by_users')),
        sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_group_links')),
    )
    op.create_table(
        'group_departures',
        sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('telegram_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('left_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('chat_id', 'telegram_id', name=op.f('pk_group_departures')),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('topic', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('topic')
        batch_op.drop_column('thread_id')
    op.drop_table('group_departures')
    op.drop_table('group_links')
