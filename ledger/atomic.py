"""Statements that must be one atomic step on SQLite and PostgreSQL alike.

Two processes may create the same row at the same moment (the first failure of a breaker, the first
holder of a lock). ``INSERT … ON CONFLICT DO NOTHING`` lets exactly one of them create it without an
error that would spoil the caller's transaction; the caller then changes the row with a conditional
UPDATE, which both databases apply one at a time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def insert_if_absent(session: Session, model: type[DeclarativeBase], values: dict[str, Any]) -> bool:
    """Insert the row unless one with the same primary key exists; whether this call inserted it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing()
    return session.execute(statement.execution_options(synchronize_session=False)).rowcount == 1
