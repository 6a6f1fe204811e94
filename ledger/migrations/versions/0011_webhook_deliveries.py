"""webhook deliveries (de-duplication, and the records event-started runs take) and call counts

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.types

revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('delivery_key', sa.String(length=100), nullable=False),
    sa.Column('event', sa.String(length=60), nullable=False),
    sa.Column('record', sa.String(length=100), nullable=True),
    sa.Column('received_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('emitted_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'source', 'delivery_key', name='uq_webhook_delivery_key')
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_merchant_received', ['merchant_id', 'received_at'], unique=False)

    op.create_table('webhook_takes',
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('process', sa.String(length=60), nullable=False),
    sa.Column('taken_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('delivery_id', 'process')
    )
    op.create_table('webhook_call_counts',
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('last_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('merchant_id', 'source', 'outcome')
    )


def downgrade() -> None:
    op.drop_table('webhook_call_counts')
    op.drop_table('webhook_takes')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_merchant_received')
    op.drop_table('webhook_deliveries')
