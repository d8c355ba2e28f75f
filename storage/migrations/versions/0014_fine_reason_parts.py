"""fines: a rule's reason as catalogue key and arguments, shown in each reader's language

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_parts', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('fines', schema=None) as batch_op:
        batch_op.drop_column('reason_parts')
