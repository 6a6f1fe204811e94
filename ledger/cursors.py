"""Cursors: where each merchant's stream resumes (a timestamp or an id, stored as text)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger.atomic import insert_if_absent
from ledger.models import Cursor
from ledger.types import utcnow


def _value(session: Session, merchant_id: str, stream: str, *, locked: bool = False) -> str | None:
    query = select(Cursor.value).where(Cursor.merchant_id == merchant_id, Cursor.stream == stream)
    # PostgreSQL holds the row until commit; SQLite's writers already take turns (BEGIN IMMEDIATE)
    return session.scalar(query.with_for_update() if locked else query)


def read_cursor(session: Session, merchant_id: str, stream: str) -> str | None:
    return _value(session, merchant_id, stream)


def _replace(session: Session, merchant_id: str, stream: str, value: str) -> None:
    session.execute(update(Cursor)
                    .where(Cursor.merchant_id == merchant_id, Cursor.stream == stream)
                    .values(value=value, updated_at=utcnow())
                    .execution_options(synchronize_session=False))


def read_time_cursor(session: Session, merchant_id: str, stream: str) -> datetime | None:
    value = read_cursor(session, merchant_id, stream)
    return datetime.fromisoformat(value) if value else None


def advance_time_cursor(session: Session, merchant_id: str, stream: str, to: datetime) -> datetime:
    """Move a time cursor forward to ``to``; never backwards (a late, slow run must not rewind it). Two runs
    of a merchant may create the same stream's cursor at once (two stock syncs started together): the insert
    lets one of them create it, and the other reads it, locked, and moves it on if its own time is later."""
    if to.tzinfo is None:
        raise ValueError("cursor times must be aware")
    value = _value(session, merchant_id, stream, locked=True)
    if value is None:
        if insert_if_absent(session, Cursor, {"merchant_id": merchant_id, "stream": stream,
                                              "value": to.isoformat(), "updated_at": utcnow()}):
            return to
        value = _value(session, merchant_id, stream, locked=True)  # another run created it meanwhile
    current = datetime.fromisoformat(value) if value else None
    if current is not None and current >= to:
        return current
    _replace(session, merchant_id, stream, to.isoformat())
    return to


def has_cursors(session: Session, merchant_id: str) -> bool:
    """Has any stream of this merchant ever advanced? (False on a new or a lost ledger.)"""
    return session.scalars(select(Cursor.stream).where(Cursor.merchant_id == merchant_id).limit(1)).first() is not None
