"""free text columns: unbounded text where people type

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

A 120-character customer name failed the insert on PostgreSQL (varchar(100));
every column that holds what a person typed becomes ``text``. SQLite ignores
declared lengths, so its tables already hold any length and are left as they
are (rebuilding them would fire ON DELETE CASCADE on the child tables);
``storage.migrations.env`` compares VARCHAR(n) and TEXT as equal there.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# table -> {column: its old length}
FREE_TEXT = {
    'stores': {'name': 100},
    'users': {'name': 100, 'username': 64},
    'orders': {'customer_name': 100, 'customer_phone': 32, 'address': 300, 'payment': 16, 'cancel_reason': 300},
    'order_lines': {'product': 100, 'material': 10, 'unit': 10, 'spec': 100},
    'fines': {'reason': 500, 'appeal_reason': 500},
    'outbox': {'last_error': 300},
    'aftersales_cases': {'customer_hint': 100, 'resolution_note': 500},
    'aftersales_case_photos': {'file_id': 200, 'file_unique_id': 100, 'path': 300, 'error': 300},
    'aftersales_case_pauses': {'reason': 300},
}


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, columns in FREE_TEXT.items():
        for column, length in columns.items():
            op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, columns in FREE_TEXT.items():
        for column, length in columns.items():
            # Longer values than the old limit are cut: the audit log still holds what was typed.
            op.alter_column(table, column, type_=sa.String(length), existing_type=sa.Text(),
                            postgresql_using=f'left({column}, {length})')
