"""company days off added by chat

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

import storage.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'company_days_off',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('added_by', sa.Integer(), nullable=False),
        sa.Column('added_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_company_days_off_added_by_users')),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_company_days_off')),
    )


def downgrade() -> None:
    op.drop_table('company_days_off')
