"""export claims, and when an order was adopted from Ongoing instead of sent

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.types

revision = '0008'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('export_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('starweb_order_id', sa.BigInteger(), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('claimed_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'starweb_order_id', name='uq_export_claim')
    )
    with op.batch_alter_table('order_bindings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adopted_at', ledger.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('order_bindings', schema=None) as batch_op:
        batch_op.drop_column('adopted_at')

    op.drop_table('export_claims')
