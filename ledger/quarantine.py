"""Quarantine: records that could not be synced, with the specific reason and when to try again.

A record is keyed by (merchant, kind, key), e.g. ("demo", "order", "1042"). Transient causes are
retried soon with growing delays; permanent ones (unknown SKU, unmapped shipping method) slowly,
since a config or data change may fix them. A person can force a retry or resolve by hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrations.errors import ConnectorError
from ledger.atomic import insert_if_absent
from ledger.db import is_transient_ledger_error
from ledger.models import QuarantineEntry
from ledger.types import utcnow

_TRANSIENT_DELAYS = (timedelta(minutes=2), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
_PERMANENT_DELAYS = (timedelta(hours=1), timedelta(hours=6), timedelta(hours=24))


def next_attempt(attempts: int, *, retryable: bool, now: datetime) -> datetime:
    """When a record that failed ``attempts`` times is due again."""
    delays = _TRANSIENT_DELAYS if retryable else _PERMANENT_DELAYS
    return now + delays[min(max(attempts, 1), len(delays)) - 1]


def describe_error(error: BaseException) -> tuple[str, str, bool]:
    """(reason, error class name, retryable) for any exception. A ledger that was busy (locked by another
    run, a dropped connection) is as transient as a vendor that was: the record comes back soon."""
    if is_transient_ledger_error(error):
        cause = getattr(error, "orig", None) or error
        return f"the ledger could not record it ({cause}); retried shortly", type(error).__name__, True
    retryable = isinstance(error, ConnectorError) and error.retryable
    return str(error) or type(error).__name__, type(error).__name__, retryable


def quarantine_record(session: Session, merchant_id: str, kind: str, key: str, error: BaseException, *,
                      payload: dict[str, Any] | None = None, now: datetime | None = None) -> QuarantineEntry:
    """Put a record in quarantine, or count one more failed attempt if it is already there. Runs that do so at
    the same moment leave one entry with every attempt counted: the row is created with an insert that
    does nothing on conflict, then updated under its row lock (SQLite lets one writer through at a time)."""
    now = now or utcnow()
    reason, error_class, retryable = describe_error(error)
    insert_if_absent(session, QuarantineEntry, {
        "merchant_id": merchant_id, "kind": kind, "key": key, "reason": reason, "error_class": error_class,
        "retryable": retryable, "attempts": 0, "first_seen_at": now, "last_attempt_at": now})
    entry = session.scalars(select(QuarantineEntry).where(
        QuarantineEntry.merchant_id == merchant_id, QuarantineEntry.kind == kind, QuarantineEntry.key == key,
    ).with_for_update().execution_options(populate_existing=True)).one()
    if entry.resolved_at is not None:
        entry.attempts, entry.first_seen_at = 0, now
    entry.attempts += 1
    entry.reason, entry.error_class, entry.retryable = reason, error_class, retryable
    entry.payload = payload if payload is not None else entry.payload
    entry.last_attempt_at = now
    entry.next_attempt_at = next_attempt(entry.attempts, retryable=retryable, now=now)
    entry.resolved_at, entry.resolution = None, None
    session.flush()
    return entry


def find_entry(session: Session, merchant_id: str, kind: str, key: str) -> QuarantineEntry | None:
    return session.scalars(select(QuarantineEntry).where(
        QuarantineEntry.merchant_id == merchant_id, QuarantineEntry.kind == kind, QuarantineEntry.key == key
    )).one_or_none()


def is_held(session: Session, merchant_id: str, kind: str, key: str, *, now: datetime | None = None) -> bool:
    """Is the record in quarantine and not yet due for another attempt?"""
    entry = find_entry(session, merchant_id, kind, key)
    if entry is None or entry.resolved_at is not None:
        return False
    return entry.next_attempt_at is None or entry.next_attempt_at > (now or utcnow())


def resolve(session: Session, merchant_id: str, kind: str, key: str, resolution: str,
            *, now: datetime | None = None) -> bool:
    """Mark a quarantined record as handled (it synced, or a person dealt with it)."""
    entry = find_entry(session, merchant_id, kind, key)
    if entry is None or entry.resolved_at is not None:
        return False
    entry.resolved_at, entry.resolution = now or utcnow(), resolution[:200]
    return True


def open_entries(session: Session, merchant_id: str, kind: str | None = None) -> list[QuarantineEntry]:
    query = select(QuarantineEntry).where(QuarantineEntry.merchant_id == merchant_id,
                                          QuarantineEntry.resolved_at.is_(None))
    if kind is not None:
        query = query.where(QuarantineEntry.kind == kind)
    return list(session.scalars(query.order_by(QuarantineEntry.id)))


def open_counts(session: Session, merchant_id: str, *, at: datetime | None = None) -> dict[str, int]:
    """Open entries per kind now, or as they stood at ``at`` (first seen by then, not yet resolved then).
    An entry that was resolved and failed again counts from its new first sighting only."""
    query = select(QuarantineEntry.kind, func.count()).where(QuarantineEntry.merchant_id == merchant_id)
    if at is None:
        query = query.where(QuarantineEntry.resolved_at.is_(None))
    else:
        query = query.where(QuarantineEntry.first_seen_at <= at,
                            QuarantineEntry.resolved_at.is_(None) | (QuarantineEntry.resolved_at > at))
    return {kind: int(n) for kind, n in session.execute(query.group_by(QuarantineEntry.kind))}


def due_for_retry(session: Session, merchant_id: str, kind: str, *,
                  now: datetime | None = None) -> list[QuarantineEntry]:
    now = now or utcnow()
    return [e for e in open_entries(session, merchant_id, kind)
            if e.next_attempt_at is not None and e.next_attempt_at <= now]


def held_keys(session: Session, merchant_id: str, kind: str, *, now: datetime | None = None) -> set[str]:
    """Keys of open entries that are not yet due: the owner leaves these records alone this run."""
    now = now or utcnow()
    return {e.key for e in open_entries(session, merchant_id, kind)
            if e.next_attempt_at is None or e.next_attempt_at > now}


def postpone(session: Session, merchant_id: str, kind: str, key: str, *, now: datetime | None = None) -> bool:
    """A due retry found the record still held for the same reason: count the attempt and wait longer,
    so an open entry is not read again on every run."""
    now = now or utcnow()
    entry = find_entry(session, merchant_id, kind, key)
    if entry is None or entry.resolved_at is not None:
        return False
    entry.attempts += 1
    entry.last_attempt_at = now
    entry.next_attempt_at = next_attempt(entry.attempts, retryable=entry.retryable, now=now)
    return True


def retry_now(session: Session, entry_id: int, *, now: datetime | None = None) -> QuarantineEntry | None:
    """A person asks for another attempt at the next run."""
    entry = session.get(QuarantineEntry, entry_id)
    if entry is not None and entry.resolved_at is None:
        entry.next_attempt_at = now or utcnow()
    return entry
