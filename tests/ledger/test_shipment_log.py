"""The shipment log: a shipment's intent is recorded once, held by one run at a time, and moves from intent
to status changed to acknowledged; customer emails are counted from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from ledger import shipments as log
from ledger.db import Ledger
from ledger.models import Shipment
from ledger.types import utcnow

RUN_A, RUN_B = "a" * 32, "b" * 32
SHIPPED = datetime(2026, 12, 2, 15, 5, tzinfo=UTC)


def intend(book: Ledger, key: str = "key-1", *, order_id: int = 1042, send_email: bool = True,
           token: str = RUN_A) -> int:
    with book.session() as s:
        return log.record_intent(
            s, "demo", starweb_order_id=order_id, order_number=f"FJ-{order_id}", key=key, lines={"1": 2.0},
            partial=False, tracking_number="UA65456546", tracker_type=2, target_status_id=3, send_email=send_email,
            silent_reason=None if send_email else "exported before go-live", shipped_at=SHIPPED, run_token=token).id


def stored(book: Ledger, shipment_id: int) -> Shipment:
    with book.session() as s:
        shipment = s.get(Shipment, shipment_id)
        assert shipment is not None
        return shipment


def take(book: Ledger, shipment_id: int, token: str, now: datetime | None = None,
         finished: tuple[str, ...] = ()) -> bool:
    with book.session() as s:
        return log.take(s, shipment_id, token, now=now, finished_holders=finished)


def test_an_intent_records_the_email_decision_taken_by_its_run(ledger: Ledger) -> None:
    shipment = stored(ledger, intend(ledger))
    assert (shipment.state, shipment.claimed_by, shipment.sequence, shipment.send_email, shipment.target_status_id,
            shipment.lines, shipment.shipped_at) == (log.INTENT, RUN_A, 1, True, 3, {"1": 2.0}, SHIPPED)
    with ledger.session() as s:
        found = log.find(s, "demo", "FJ-1042", "key-1")
        assert found is not None and found.id == shipment.id
        assert log.find(s, "demo", "FJ-1042", "key-2") is None
        assert log.find(s, "other-shop", "FJ-1042", "key-1") is None


def test_the_same_shipment_recorded_by_a_second_run_fails_on_flush(ledger: Ledger) -> None:
    intend(ledger, token=RUN_A)
    with pytest.raises(IntegrityError):
        intend(ledger, token=RUN_B)
    with ledger.session() as s:
        assert [(sh.shipment_key, sh.claimed_by) for sh in s.query(Shipment)] == [("key-1", RUN_A)]


def test_later_shipments_of_an_order_are_numbered_in_sequence(ledger: Ledger) -> None:
    first, second, other = intend(ledger, "key-1"), intend(ledger, "key-2"), intend(ledger, "key-1", order_id=1043)
    assert [stored(ledger, i).sequence for i in (first, second, other)] == [1, 2, 1]


def test_a_shipment_held_by_a_live_run_is_refused_to_another_until_stale(ledger: Ledger) -> None:
    shipment = intend(ledger, token=RUN_A)
    assert not take(ledger, shipment, RUN_B)
    assert take(ledger, shipment, RUN_A), "the holder may take it again"
    assert not take(ledger, shipment, RUN_B, utcnow() + timedelta(minutes=14))
    later = utcnow() + timedelta(minutes=16)
    assert take(ledger, shipment, RUN_B, later)
    assert (stored(ledger, shipment).claimed_by, stored(ledger, shipment).intent_at) == (RUN_B, later)


def test_a_shipment_held_by_a_run_that_is_over_is_taken_over_at_once(ledger: Ledger) -> None:
    shipment = intend(ledger, token=RUN_A)
    assert not take(ledger, shipment, RUN_B, finished=("c" * 32,)), "only the holder's end frees it"
    assert take(ledger, shipment, RUN_B, finished=(RUN_A,))
    assert stored(ledger, shipment).claimed_by == RUN_B


def test_a_shipment_let_go_of_is_free_for_the_next_run(ledger: Ledger) -> None:
    shipment, other = intend(ledger, "key-1", token=RUN_A), intend(ledger, "key-2", token=RUN_B)
    with ledger.session() as s:
        log.let_go(s, RUN_A)
    assert stored(ledger, shipment).claimed_by is None
    assert stored(ledger, other).claimed_by == RUN_B
    assert take(ledger, shipment, RUN_B)


def test_a_shipment_moves_from_intent_to_status_changed_to_acknowledged(ledger: Ledger) -> None:
    shipment = intend(ledger)
    changed_at, acknowledged_at = SHIPPED + timedelta(minutes=1), SHIPPED + timedelta(minutes=2)
    with ledger.session() as s:
        log.mark_status_changed(s, shipment, now=changed_at)
    assert (stored(ledger, shipment).state, stored(ledger, shipment).status_changed_at) == (
        log.STATUS_CHANGED, changed_at)
    with ledger.session() as s:
        log.mark_acknowledged(s, shipment, now=acknowledged_at)
    done = stored(ledger, shipment)
    assert (done.state, done.acknowledged_at, done.claimed_by) == (log.ACKNOWLEDGED, acknowledged_at, None)
    assert not take(ledger, shipment, RUN_B, utcnow() + timedelta(hours=1)), "an acknowledged shipment is finished"


def test_emails_are_counted_for_status_changes_made_with_the_email_on(ledger: Ledger) -> None:
    emailed = intend(ledger, "key-1")
    acknowledged = intend(ledger, "key-2", order_id=1043)
    intend(ledger, "key-3")  # intent only: the status change has not happened yet
    silent = intend(ledger, "key-4", send_email=False)
    with ledger.session() as s:
        for shipment in (emailed, acknowledged, silent):
            log.mark_status_changed(s, shipment)
        log.mark_acknowledged(s, acknowledged)
    with ledger.session() as s:
        assert log.emails_triggered(s, "demo") == 2
        assert log.emails_triggered(s, "demo", 1042) == 1
        assert log.emails_triggered(s, "demo", 1043) == 1
        assert log.emails_triggered(s, "other-shop") == 0
