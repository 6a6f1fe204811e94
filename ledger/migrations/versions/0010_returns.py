"""returns registered from the warehouse and the refund worklist

Revision ID: 0010
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.types

revision = '0010'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('return_key', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('document_id', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('order_number', sa.String(length=50), nullable=True),
    sa.Column('starweb_order_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('acknowledgements', sa.JSON(), nullable=False),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('refund_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('shipping_refund', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('fully_returned', sa.Boolean(), nullable=False),
    sa.Column('target_status_id', sa.Integer(), nullable=True),
    sa.Column('send_email', sa.Boolean(), nullable=False),
    sa.Column('progress', sa.String(length=20), nullable=False),
    sa.Column('worklist_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=40), nullable=True),
    sa.Column('claimed_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('starweb_done_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('refunded_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'return_key', name='uq_return_key')
    )
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_returns_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_returns_starweb_order_id'), ['starweb_order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_returns_starweb_order_id'))
        batch_op.drop_index(batch_op.f('ix_returns_merchant_id'))

    op.drop_table('returns')
