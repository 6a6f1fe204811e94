"""Circuit breaker state in the ledger: every failed call counts even when processes fail at once, the
breaker opens at the threshold with the last cause kept, one process gets the trial call, a success
closes it — and two processes see one breaker."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from integrations.breaker import CircuitBreaker
from integrations.errors import CircuitOpen
from ledger import breakers, locks
from ledger.db import Ledger
from tasks.breaker_store import LedgerBreakerStore

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
KEY = "ongoing|http://127.0.0.1:8802/demo/api/v1|demo-api"
PAUSE = timedelta(minutes=10)


def fail(book: Ledger, cause: str, now: datetime = NOW, threshold: int = 3) -> tuple[int, datetime | None]:
    with book.session() as s:
        record = breakers.record_breaker_failure(s, KEY, cause=cause, threshold=threshold, pause=PAUSE, now=now)
        return record.consecutive_failures, record.open_until


def test_failures_open_the_breaker_at_the_threshold_and_keep_the_last_cause(ledger: Ledger) -> None:
    assert fail(ledger, "connection refused", NOW) == (1, None)
    assert fail(ledger, "connection refused", NOW + timedelta(seconds=1)) == (2, None)
    assert fail(ledger, "server error 503", NOW + timedelta(seconds=2)) == (3, NOW + timedelta(seconds=2) + PAUSE)
    with ledger.session() as s:
        assert breakers.read_breaker(s, KEY).last_cause == "server error 503"


def test_only_one_caller_gets_the_trial_call_and_only_after_the_pause(ledger: Ledger) -> None:
    for second in range(3):
        fail(ledger, "connection refused", NOW + timedelta(seconds=second))
    reopened = NOW + timedelta(seconds=2) + PAUSE
    with ledger.session() as s:
        assert not breakers.claim_breaker_trial(s, KEY, pause=PAUSE, now=reopened - timedelta(seconds=1))
    with ledger.session() as s:
        assert breakers.claim_breaker_trial(s, KEY, pause=PAUSE, now=reopened)
    with ledger.session() as s:
        assert not breakers.claim_breaker_trial(s, KEY, pause=PAUSE, now=reopened + timedelta(seconds=1))
        assert breakers.read_breaker(s, KEY).open_until == reopened + PAUSE


def test_a_success_closes_the_breaker_and_a_clean_breaker_is_not_written(ledger: Ledger) -> None:
    with ledger.session() as s:
        breakers.close_breaker(s, KEY)
        assert breakers.read_breaker(s, KEY) is None
    for second in range(3):
        fail(ledger, "connection refused", NOW + timedelta(seconds=second))
    with ledger.session() as s:
        breakers.close_breaker(s, KEY, now=NOW + timedelta(minutes=11))
    with ledger.session() as s:
        record = breakers.read_breaker(s, KEY)
        assert (record.consecutive_failures, record.open_until) == (0, None)
        closed_at = record.updated_at
    with ledger.session() as s:
        breakers.close_breaker(s, KEY, now=NOW + timedelta(minutes=12))
    with ledger.session() as s:
        assert breakers.read_breaker(s, KEY).updated_at == closed_at


def test_failures_of_processes_at_the_same_moment_all_count(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    books = [Ledger(url) for _ in range(4)]  # one engine per "process"

    def fail_five_times(book: Ledger) -> None:
        for _ in range(5):
            fail(book, "connection refused", threshold=100)

    threads = [threading.Thread(target=fail_five_times, args=(book,)) for book in books]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with books[0].session() as s:
        assert breakers.read_breaker(s, KEY).consecutive_failures == 20
    for book in books:
        book.dispose()


def test_two_processes_share_one_breaker_through_the_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    first_process, second_process = Ledger(url), Ledger(url)
    clock = [NOW.timestamp()]

    def breaker_in(book: Ledger) -> CircuitBreaker:
        return CircuitBreaker(3, 600.0, key=KEY, store=LedgerBreakerStore(lambda: book), clock=lambda: clock[0])

    first, second = breaker_in(first_process), breaker_in(second_process)
    first.record_failure("could not connect to ongoing at 127.0.0.1:8802: [Errno 111] Connection refused")
    second.record_failure("could not connect to ongoing at 127.0.0.1:8802: [Errno 111] Connection refused")
    first.record_failure("could not connect to ongoing at 127.0.0.1:8802: [Errno 111] Connection refused")

    with pytest.raises(CircuitOpen) as caught:
        second.before_call("ongoing", "GET /orders")
    assert str(caught.value).startswith(
        "Ongoing unavailable: calls paused until 2026-12-02 07:10:00 UTC after 3 consecutive failed calls; "
        "last cause: could not connect to ongoing at 127.0.0.1:8802: [Errno 111] Connection refused")

    clock[0] += 600
    second.before_call("ongoing", "GET /orders")  # the trial call
    with pytest.raises(CircuitOpen):
        first.before_call("ongoing", "GET /orders")
    second.record_success()
    first.before_call("ongoing", "GET /orders")
    assert not first.is_open
    first_process.dispose()
    second_process.dispose()


def test_the_same_statements_run_on_postgresql(postgres_url: str) -> None:
    book = Ledger(postgres_url)
    assert [fail(book, "connection refused", NOW + timedelta(seconds=s))[0] for s in range(3)] == [1, 2, 3]
    with book.session() as s:
        assert breakers.claim_breaker_trial(s, KEY, pause=PAUSE, now=NOW + timedelta(seconds=2) + PAUSE)
    with book.session() as s:
        breakers.close_breaker(s, KEY)
        assert locks.acquire_lock(s, "release:demo", "run-a", lease=PAUSE, now=NOW) is None
        assert locks.acquire_lock(s, "release:demo", "run-b", lease=PAUSE, now=NOW) == "run-a"
        assert locks.acquire_lock(s, "release:demo", "run-b", lease=PAUSE, now=NOW,
                                  finished_holders=["run-a"]) is None
    with book.session() as s:
        assert breakers.read_breaker(s, KEY).consecutive_failures == 0
    book.dispose()


def test_a_store_takes_a_clean_breaker_as_read_for_a_second_and_its_own_failure_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    first_process, second_process = Ledger(url), Ledger(url)
    seconds = [0.0]
    first = LedgerBreakerStore(lambda: first_process, clean_for=1.0, clock=lambda: seconds[0])
    second = LedgerBreakerStore(lambda: second_process)

    assert first.read(KEY).clean
    for _ in range(3):  # another process opens the breaker
        second.record_failure(KEY, cause="connection refused", threshold=3, pause=600, now=NOW.timestamp())
    assert first.read(KEY).clean  # within the second: not read again
    seconds[0] += 1.0
    assert first.read(KEY).open_until == NOW.timestamp() + 600  # the pause reaches this process

    second.record_success(KEY)
    assert first.read(KEY).clean
    first.record_failure(KEY, cause="timeout", threshold=3, pause=600, now=NOW.timestamp())
    assert first.read(KEY).consecutive_failures == 1  # its own failure is never hidden
    first_process.dispose()
    second_process.dispose()
