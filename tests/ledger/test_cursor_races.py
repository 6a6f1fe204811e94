"""Two runs of one merchant may advance the same stream's cursor at once: two stock syncs started
together, each creating the full-resync cursor on its first run. On PostgreSQL both read "no cursor" and
both inserted it, and the later insert failed its run after all its work had landed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from ledger.cursors import advance_time_cursor, read_time_cursor
from ledger.db import Ledger

NOW = datetime(2026, 12, 1, 4, 27, 52, tzinfo=UTC)


def both_read_no_cursor_before_either_writes(book: Ledger) -> None:
    """Each run, once it has read the cursor (and found none), waits until the other has read it too."""
    both_read = threading.Barrier(2, timeout=10)
    waited: set[str] = set()

    @event.listens_for(book.engine, "after_cursor_execute")
    def wait_for_the_other_read(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        run = threading.current_thread().name
        if run.startswith("run-") and run not in waited and statement.lstrip().upper().startswith("SELECT") \
                and "cursors" in statement:
            waited.add(run)
            both_read.wait()


def advance_in_two_runs(book: Ledger, first: datetime, second: datetime) -> list[BaseException]:
    failures: list[BaseException] = []

    def run(to: datetime) -> None:
        try:
            with book.session() as session:
                advance_time_cursor(session, "norr", "ongoing-stock-full-resync", to)
        except BaseException as error:  # reported to the test thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(to,), name=f"run-{i}") for i, to in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return failures


@pytest.mark.parametrize("order", ["later run first", "earlier run first"])
def test_two_runs_creating_one_cursor_at_once_both_succeed_and_it_keeps_the_later_time(
        postgres_url: str, order: str) -> None:
    book = Ledger(postgres_url)
    both_read_no_cursor_before_either_writes(book)
    later, earlier = NOW, NOW - timedelta(seconds=3)

    failures = advance_in_two_runs(book, *((later, earlier) if order == "later run first" else (earlier, later)))

    assert failures == []
    with book.session() as session:
        assert read_time_cursor(session, "norr", "ongoing-stock-full-resync") == later
    book.dispose()
