"""Alembic environment: runs against the engine handed over by ledger.db (or a URL on the command line)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ledger.db import lock_for_migration
from ledger.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("ledger migrations need an engine in the Alembic config's attributes or a sqlalchemy.url")
    engine = create_engine(url)

# One transaction for every migration, begun with the migration lock: a process that waited for the lock
# reads the schema version only once the one before it has committed, and finds nothing left to do.
with engine.connect() as connection, connection.begin():
    lock_for_migration(connection)
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    context.run_migrations()
