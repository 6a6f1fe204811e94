"""Run locks: one flow run holds a lock; it is taken over at once when its run is over, and only after
its lease ran out when no one can say; renewing keeps it, releasing frees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger import locks
from ledger.db import Ledger

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
NAME = "release:demo"
RUN_A, RUN_B = "0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def acquire(book: Ledger, holder: str, now: datetime = NOW, finished: tuple[str, ...] = ()) -> str | None:
    with book.session() as s:
        return locks.acquire_lock(s, NAME, holder, lease=LEASE, now=now, finished_holders=finished)


def test_one_run_holds_the_lock_and_may_take_it_again(ledger: Ledger) -> None:
    assert acquire(ledger, RUN_A) is None
    assert acquire(ledger, RUN_B, NOW + timedelta(seconds=1)) == RUN_A
    assert acquire(ledger, RUN_A, NOW + timedelta(seconds=2)) is None


def test_the_lock_of_a_finished_run_is_taken_over_at_once(ledger: Ledger) -> None:
    assert acquire(ledger, RUN_A) is None
    assert acquire(ledger, RUN_B, NOW + timedelta(seconds=1), finished=(RUN_A,)) is None
    with ledger.session() as s:
        assert locks.lock_holder(s, NAME).holder == RUN_B
        assert not locks.renew_lock(s, NAME, RUN_A, lease=LEASE, now=NOW + timedelta(seconds=2))


def test_an_unrenewed_lock_is_taken_over_after_its_lease_and_a_renewed_one_is_not(ledger: Ledger) -> None:
    assert acquire(ledger, RUN_A) is None
    with ledger.session() as s:
        assert locks.renew_lock(s, NAME, RUN_A, lease=LEASE, now=NOW + timedelta(minutes=1))
    assert acquire(ledger, RUN_B, NOW + timedelta(minutes=2, seconds=30)) == RUN_A
    assert acquire(ledger, RUN_B, NOW + timedelta(minutes=3, seconds=1)) is None


def test_releasing_frees_the_lock_but_only_for_its_holder(ledger: Ledger) -> None:
    assert acquire(ledger, RUN_A) is None
    with ledger.session() as s:
        locks.release_lock(s, NAME, RUN_B)
    assert acquire(ledger, RUN_B) == RUN_A
    with ledger.session() as s:
        locks.release_lock(s, NAME, RUN_A)
    assert acquire(ledger, RUN_B) is None
