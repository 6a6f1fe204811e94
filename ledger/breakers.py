"""Circuit breaker state shared by every process: one row per vendor account, changed by atomic
statements only (count a failure, claim the one trial call, close), so concurrent runs never lose
a count and never both make the trial call. ``tasks/breaker_store.py`` adapts these functions to the
breaker's store protocol."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, literal, select, update
from sqlalchemy.orm import Session

from ledger.atomic import insert_if_absent, rows_changed
from ledger.models import BreakerRecord
from ledger.types import UTCDateTime, utcnow

_CAUSE_LENGTH = 1000


def read_breaker(session: Session, key: str) -> BreakerRecord | None:
    return session.scalars(select(BreakerRecord).where(BreakerRecord.key == key)).first()


def record_breaker_failure(session: Session, key: str, *, cause: str, threshold: int, pause: timedelta,
                           now: datetime | None = None) -> BreakerRecord:
    """Count one failed call; from the ``threshold``-th on, the breaker is open until ``now + pause``."""
    now = now or utcnow()
    insert_if_absent(session, BreakerRecord, {"key": key, "consecutive_failures": 0, "updated_at": now})
    failures = BreakerRecord.consecutive_failures + 1
    session.execute(
        update(BreakerRecord).where(BreakerRecord.key == key)
        .values(consecutive_failures=failures, last_cause=cause[:_CAUSE_LENGTH], updated_at=now,
                open_until=case((failures >= threshold, literal(now + pause, UTCDateTime())),
                                else_=BreakerRecord.open_until))
        .execution_options(synchronize_session=False))
    record = session.scalars(select(BreakerRecord).where(BreakerRecord.key == key)
                             .execution_options(populate_existing=True)).one()
    return record


def claim_breaker_trial(session: Session, key: str, *, pause: timedelta, now: datetime | None = None) -> bool:
    """Take the one trial call of a breaker whose pause is over; the next pause starts now, so no
    other process tries before this call's outcome is known (or the pause passes again)."""
    now = now or utcnow()
    changed = rows_changed(session,
        update(BreakerRecord)
        .where(BreakerRecord.key == key, BreakerRecord.open_until.is_not(None), BreakerRecord.open_until <= now)
        .values(open_until=now + pause, updated_at=now)
        .execution_options(synchronize_session=False))
    return changed == 1


def close_breaker(session: Session, key: str, *, now: datetime | None = None) -> None:
    """A call succeeded: forget the failures. Writes only when there is something to forget, since
    this runs after every successful call and a write would queue behind other processes' writes."""
    record = read_breaker(session, key)
    if record is None or (record.consecutive_failures == 0 and record.open_until is None):
        return
    session.execute(update(BreakerRecord).where(BreakerRecord.key == key)
                    .values(consecutive_failures=0, open_until=None, updated_at=now or utcnow())
                    .execution_options(synchronize_session=False))
