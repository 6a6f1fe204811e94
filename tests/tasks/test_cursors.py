"""Where a run starts reading a stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger.types import utcnow
from tasks.cursors import window_start


def test_a_run_reads_from_its_cursor_less_the_overlap_or_looks_back_on_the_first_run() -> None:
    cursor = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert window_start(cursor, overlap=timedelta(minutes=10), first_run=timedelta(days=7)) == \
        datetime(2026, 3, 1, 11, 50, tzinfo=UTC)
    before = utcnow()
    assert before - timedelta(days=7) <= window_start(None, overlap=timedelta(minutes=10),
                                                      first_run=timedelta(days=7)) <= utcnow() - timedelta(days=7)
