"""purchase orders sent to Ongoing, their lines and the receipts reported

Revision ID: 0009
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.types

revision = '0009'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('purchase_order_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('purchase_order_number', sa.String(length=50), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('ongoing_purchase_order_id', sa.BigInteger(), nullable=True),
    sa.Column('expected_date', sa.Date(), nullable=True),
    sa.Column('pushed_hash', sa.String(length=64), nullable=True),
    sa.Column('refused_hash', sa.String(length=64), nullable=True),
    sa.Column('receipt_hash', sa.String(length=64), nullable=True),
    sa.Column('pushed_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('receipt_reported_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'purchase_order_number', name='uq_purchase_order_number')
    )
    with op.batch_alter_table('purchase_order_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_bindings_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_bindings_ongoing_purchase_order_id'),
                              ['ongoing_purchase_order_id'], unique=False)

    op.create_table('purchase_order_line_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_binding_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.String(length=50), nullable=False),
    sa.Column('sku', sa.String(length=50), nullable=False),
    sa.Column('advised', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('ongoing_line_id', sa.BigInteger(), nullable=True),
    sa.Column('received_reported', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.ForeignKeyConstraint(['purchase_order_binding_id'], ['purchase_order_bindings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('purchase_order_binding_id', 'row_number', name='uq_purchase_order_line_row')
    )
    with op.batch_alter_table('purchase_order_line_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_line_bindings_purchase_order_binding_id'),
                              ['purchase_order_binding_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('purchase_order_line_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_bindings_purchase_order_binding_id'))
    op.drop_table('purchase_order_line_bindings')
    with op.batch_alter_table('purchase_order_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_bindings_ongoing_purchase_order_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_bindings_merchant_id'))
    op.drop_table('purchase_order_bindings')
