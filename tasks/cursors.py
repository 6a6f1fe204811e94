"""Reading and advancing a merchant's stream cursors in the ledger.

Plain functions, not tasks: each is one ledger query or write, and a task run for it would cost more CPU
(its bookkeeping in the run and on the Prefect server) than the query, on every run of every flow. A
failure still fails the run, with its traceback in the run's logs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ledger.cursors import advance_time_cursor, read_time_cursor
from ledger.types import utcnow
from tasks.runtime import ledger


def window_start(cursor: datetime | None, *, overlap: timedelta, first_run: timedelta) -> datetime:
    """Where a run starts reading: the cursor less an overlap window, or a look-back on the first run."""
    return cursor - overlap if cursor else utcnow() - first_run


def read_window_start(merchant_id: str, stream: str, *, overlap: timedelta, first_run: timedelta) -> datetime:
    """Where this run starts reading (``window_start`` of the stream's cursor)."""
    with ledger().session() as session:
        cursor = read_time_cursor(session, merchant_id, stream)
    return window_start(cursor, overlap=overlap, first_run=first_run)


def advance_cursor(merchant_id: str, stream: str, to: datetime, *, dry_run: bool) -> None:
    """Move the cursor to the run's start once its work is recorded (never in a dry run, never backwards)."""
    if dry_run:
        return
    with ledger().session() as session:
        advance_time_cursor(session, merchant_id, stream, to)


def read_cursor_time(merchant_id: str, stream: str) -> datetime | None:
    with ledger().session() as session:
        return read_time_cursor(session, merchant_id, stream)
