"""The sync ledger: what the connector knows to be true across both systems.

Bindings link Starweb and Ongoing ids (orders, lines, articles) with the hash of what was last pushed;
cursors say where each stream resumes; the quarantine holds records that need time or a person; the
audit log records every write to either system. SQLite by default, PostgreSQL by URL; the schema is
managed by Alembic migrations.
"""
