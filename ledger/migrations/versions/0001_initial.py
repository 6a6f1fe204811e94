"""initial ledger: bindings, cursors, quarantine, audit log

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('article_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('article_system_id', sa.BigInteger(), nullable=True),
    sa.Column('starweb_product_id', sa.BigInteger(), nullable=True),
    sa.Column('starweb_variant_id', sa.BigInteger(), nullable=True),
    sa.Column('pushed_hash', sa.String(length=64), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('removed_in_starweb_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'sku', name='uq_article_binding_sku')
    )
    with op.batch_alter_table('article_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_bindings_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('flow_run_id', sa.String(length=40), nullable=True),
    sa.Column('system', sa.String(length=10), nullable=False),
    sa.Column('operation', sa.String(length=80), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('cursors',
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('stream', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('updated_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('merchant_id', 'stream')
    )
    op.create_table('order_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('starweb_order_id', sa.BigInteger(), nullable=False),
    sa.Column('order_number', sa.String(length=50), nullable=False),
    sa.Column('ongoing_order_id', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=True),
    sa.Column('starweb_status_id', sa.Integer(), nullable=True),
    sa.Column('ongoing_status', sa.Integer(), nullable=True),
    sa.Column('pushed_hash', sa.String(length=64), nullable=True),
    sa.Column('refused_hash', sa.String(length=64), nullable=True),
    sa.Column('short_pick_noted', sa.String(length=64), nullable=True),
    sa.Column('initial_status_set', sa.Boolean(), nullable=False),
    sa.Column('silent', sa.Boolean(), nullable=False),
    sa.Column('starweb_created_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('starweb_modified_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exported_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'order_number', name='uq_order_binding_number'),
    sa.UniqueConstraint('merchant_id', 'starweb_order_id', name='uq_order_binding_starweb')
    )
    with op.batch_alter_table('order_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_bindings_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('error_class', sa.String(length=60), nullable=False),
    sa.Column('retryable', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('first_seen_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('merchant_id', 'kind', 'key', name='uq_quarantine_record')
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('line_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_binding_id', sa.Integer(), nullable=False),
    sa.Column('starweb_item_id', sa.BigInteger(), nullable=True),
    sa.Column('row_number', sa.String(length=20), nullable=False),
    sa.Column('ongoing_line_id', sa.BigInteger(), nullable=True),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.ForeignKeyConstraint(['order_binding_id'], ['order_bindings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_binding_id', 'row_number', name='uq_line_binding_row')
    )
    with op.batch_alter_table('line_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_line_bindings_order_binding_id'), ['order_binding_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('line_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_line_bindings_order_binding_id'))

    op.drop_table('line_bindings')
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_merchant_id'))

    op.drop_table('quarantine')
    with op.batch_alter_table('order_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_bindings_merchant_id'))

    op.drop_table('order_bindings')
    op.drop_table('cursors')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    with op.batch_alter_table('article_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_bindings_merchant_id'))

    op.drop_table('article_bindings')
