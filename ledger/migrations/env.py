"""Alembic environment: runs against the engine handed over by ledger.db (or a URL on the command line)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ledger.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("ledger migrations need an engine in the Alembic config's attributes or a sqlalchemy.url")
    engine = create_engine(url)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
