"""Cursors: where each merchant's stream resumes (a timestamp or an id, stored as text)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import Cursor


def read_cursor(session: Session, merchant_id: str, stream: str) -> str | None:
    cursor = session.get(Cursor, (merchant_id, stream))
    return cursor.value if cursor else None


def write_cursor(session: Session, merchant_id: str, stream: str, value: str) -> None:
    cursor = session.get(Cursor, (merchant_id, stream))
    if cursor is None:
        session.add(Cursor(merchant_id=merchant_id, stream=stream, value=value))
    else:
        cursor.value = value


def read_time_cursor(session: Session, merchant_id: str, stream: str) -> datetime | None:
    value = read_cursor(session, merchant_id, stream)
    return datetime.fromisoformat(value) if value else None


def advance_time_cursor(session: Session, merchant_id: str, stream: str, to: datetime) -> datetime:
    """Move a time cursor forward to ``to``; never backwards (a late, slow run must not rewind it)."""
    if to.tzinfo is None:
        raise ValueError("cursor times must be aware")
    current = read_time_cursor(session, merchant_id, stream)
    if current is not None and current >= to:
        return current
    write_cursor(session, merchant_id, stream, to.isoformat())
    return to


def has_cursors(session: Session, merchant_id: str) -> bool:
    """Has any stream of this merchant ever advanced? (False on a new or a lost ledger.)"""
    return session.scalars(select(Cursor.stream).where(Cursor.merchant_id == merchant_id).limit(1)).first() is not None
