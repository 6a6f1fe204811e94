"""circuit breaker state and run locks shared by every process

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.types

revision = '0004'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('circuit_breakers',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('open_until', ledger.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_cause', sa.Text(), nullable=True),
    sa.Column('updated_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('run_locks',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('holder', sa.String(length=40), nullable=False),
    sa.Column('acquired_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', ledger.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('run_locks')
    op.drop_table('circuit_breakers')
