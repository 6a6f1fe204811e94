"""unbooked Starweb orders (stock they hold that the warehouse does not book) and sightings of
shipments waiting for their waybill

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.types

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unbooked_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('starweb_order_id', sa.BigInteger(), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.Column('starweb_modified_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('seen_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'starweb_order_id', name='uq_unbooked_order')
    )
    with op.batch_alter_table('unbooked_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unbooked_orders_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('shipment_sightings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('order_number', sa.String(length=50), nullable=False),
    sa.Column('shipment_key', sa.String(length=64), nullable=False),
    sa.Column('first_seen_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'order_number', 'shipment_key', name='uq_shipment_sighting')
    )
    with op.batch_alter_table('shipment_sightings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_sightings_merchant_id'), ['merchant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('shipment_sightings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_sightings_merchant_id'))
    op.drop_table('shipment_sightings')
    with op.batch_alter_table('unbooked_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unbooked_orders_merchant_id'))
    op.drop_table('unbooked_orders')
