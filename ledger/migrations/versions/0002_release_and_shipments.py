"""order release claims, holds and the shipment log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('starweb_order_id', sa.BigInteger(), nullable=False),
    sa.Column('order_number', sa.String(length=50), nullable=False),
    sa.Column('shipment_key', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('tracking_number', sa.String(length=50), nullable=True),
    sa.Column('tracker_type', sa.Integer(), nullable=True),
    sa.Column('target_status_id', sa.Integer(), nullable=False),
    sa.Column('send_email', sa.Boolean(), nullable=False),
    sa.Column('silent_reason', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('claimed_by', sa.String(length=40), nullable=True),
    sa.Column('intent_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'order_number', 'shipment_key', name='uq_shipment')
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_merchant_id'), ['merchant_id'], unique=False)

    with op.batch_alter_table('order_bindings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_hold', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('release_claim', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('release_claimed_at', ledger.types.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('order_bindings', schema=None) as batch_op:
        batch_op.drop_column('release_claimed_at')
        batch_op.drop_column('release_claim')
        batch_op.drop_column('on_hold')

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_merchant_id'))

    op.drop_table('shipments')
