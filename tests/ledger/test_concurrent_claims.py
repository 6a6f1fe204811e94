"""Every claim the connector takes before a write that must happen once, raced for real: eight workers, each
with its own connection, ask for the same thing at the same moment, on SQLite and on PostgreSQL (where
concurrent transactions really run side by side and a conditional UPDATE waits for the one before it).
Exactly one wins; the others are told who holds it, or fail with the integrity error their callers expect."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from integrations.errors import VendorUnavailable
from ledger import export_claims, locks, quarantine
from ledger import release as release_claims
from ledger import returns as return_log
from ledger import shipments as shipment_log
from ledger.db import Ledger
from ledger.models import OrderBinding, QuarantineEntry
from tests.ledger.test_return_log import REGRET

WORKERS = 8
T = TypeVar("T")


def race(book: Ledger, attempt: Callable[[Session, str], T]) -> list[T | Exception]:
    """Run ``attempt`` in ``WORKERS`` threads released together, each in its own transaction and with its
    own holder id (``run-0`` …); the result of each, or the exception it raised."""
    start = threading.Barrier(WORKERS)

    def one(worker: int) -> T | Exception:
        start.wait()
        try:
            with book.session() as session:
                return attempt(session, f"run-{worker}")
        except Exception as error:  # the integrity errors are part of the contract
            return error

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, range(WORKERS)))


def winners(results: Sequence[object], won: object = True) -> int:
    return sum(result == won for result in results)


def test_one_run_takes_a_run_lock(book: Ledger) -> None:
    results = race(book, lambda s, run: locks.acquire_lock(s, "release:demo", run, lease=timedelta(minutes=2)))

    assert winners(results, None) == 1
    with book.session() as s:
        holder = locks.lock_holder(s, "release:demo")
    assert holder is not None and all(result in (None, holder.holder) for result in results)


def test_one_run_claims_an_order_for_its_export(book: Ledger) -> None:
    results = race(book, lambda s, run: export_claims.claim_for_export(s, "demo", 1042, run))

    assert winners(results) == 1 and winners(results, False) == WORKERS - 1


def test_one_run_claims_an_order_for_its_release(book: Ledger) -> None:
    with book.session() as s:
        binding = OrderBinding(merchant_id="demo", starweb_order_id=1042, order_number="FJ-1042",
                               ongoing_order_id=51042, state="open_in_stock")
        s.add(binding)
        s.flush()
        binding_id = binding.id

    results = race(book, lambda s, run: release_claims.claim_for_release(s, binding_id, run))

    assert winners(results) == 1


def record_shipment(session: Session, run: str) -> int:
    return shipment_log.record_intent(
        session, "demo", starweb_order_id=1042, order_number="FJ-1042", key="shipment-1", lines={"1": 1.0},
        partial=False, tracking_number="0037", tracker_type=2, target_status_id=3, send_email=True,
        silent_reason=None, shipped_at=None, run_token=run).id


def test_one_run_records_a_shipments_intent_and_one_takes_it_over(book: Ledger) -> None:
    results = race(book, record_shipment)

    assert sum(isinstance(result, int) for result in results) == 1
    assert all(isinstance(result, int | IntegrityError) for result in results)
    (shipment_id,) = [result for result in results if isinstance(result, int)]
    with book.session() as s:
        shipment_log.let_go(s, next(f"run-{n}" for n, result in enumerate(results) if isinstance(result, int)))

    taken = race(book, lambda s, run: shipment_log.take(s, shipment_id, run))

    assert winners(taken) == 1


def test_one_run_records_a_return_and_one_takes_it_over(book: Ledger) -> None:
    results = race(book, lambda s, run: return_log.record(s, "demo", REGRET, run).id)

    assert sum(isinstance(result, int) for result in results) == 1
    (return_id,) = [result for result in results if isinstance(result, int)]
    recorder = next(f"run-{n}" for n, result in enumerate(results) if isinstance(result, int))

    # The recording run is over; the runs that find it so race for the return.
    taken = race(book, lambda s, run: return_log.take(s, return_id, f"next-{run}", finished_holders=[recorder]))

    assert winners(taken) == 1


def test_runs_quarantining_one_record_at_once_leave_one_entry(book: Ledger) -> None:
    error = VendorUnavailable("Ongoing failed with a server error", vendor="ongoing", status=500)

    results = race(book, lambda s, run: quarantine.quarantine_record(s, "demo", "order", "1042", error).id)

    assert all(isinstance(result, int) for result in results), [r for r in results if isinstance(r, Exception)]
    with book.session() as s:
        (entry,) = s.query(QuarantineEntry).all()
    assert entry.attempts == WORKERS, "each run's failed attempt is counted"
