"""Statements that must be one atomic step on SQLite and PostgreSQL alike.

Two processes may create the same row at the same moment (the first failure of a breaker, the first
holder of a lock). ``INSERT … ON CONFLICT DO NOTHING`` lets exactly one of them create it without an
error that would spoil the caller's transaction; the caller then changes the row with a conditional
UPDATE, which both databases apply one at a time.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def insert_if_absent(session: Session, model: type[DeclarativeBase], values: dict[str, Any]) -> bool:
    """Insert the row unless one with the same primary key exists; whether this call inserted it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing()
    return rows_changed(session, statement.execution_options(synchronize_session=False)) == 1


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an INSERT, UPDATE or DELETE; how many rows it changed. Such statements answer with a cursor
    result, which is where the row count lives (``Session.execute`` is typed for any result)."""
    return int(cast(CursorResult[Any], session.execute(statement)).rowcount or 0)
