"""Late tracking in the ledger: a shipment's first sighting without a waybill is kept, and shipments
reported without one stay on the follow-up list until their order's waybill reached Starweb."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from ledger import late_tracking
from ledger import shipments as log
from ledger.db import Ledger
from ledger.models import ShipmentSighting

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def report(book: Ledger, order_id: int, key: str, tracking: str | None, *, state: str = log.ACKNOWLEDGED,
           shipped_at: datetime = T0) -> None:
    with book.session() as s:
        shipment = log.record_intent(
            s, "demo", starweb_order_id=order_id, order_number=f"FJ-{order_id}", key=key, lines={"1": 1.0},
            partial=False, tracking_number=tracking, tracker_type=None, target_status_id=3, send_email=True,
            silent_reason=None, shipped_at=shipped_at, run_token="r" * 32)
        if state != log.INTENT:
            log.mark_status_changed(s, shipment.id, now=shipped_at)
        if state == log.ACKNOWLEDGED:
            log.mark_acknowledged(s, shipment.id, now=shipped_at)


def test_the_first_sighting_is_kept_and_a_preview_records_none(ledger: Ledger) -> None:
    a, b = ("FJ-1", "k1"), ("FJ-2", "k2")
    with ledger.session() as s:
        assert late_tracking.first_sightings(s, "demo", [a], record=False, now=T0) == {a: T0}
    with ledger.session() as s:
        assert late_tracking.first_sightings(s, "demo", [a], now=T0 + timedelta(minutes=1)) == {
            a: T0 + timedelta(minutes=1)}, "the preview left no trace"
    with ledger.session() as s:
        seen = late_tracking.first_sightings(s, "demo", [a, b], now=T0 + timedelta(minutes=9))
    assert seen == {a: T0 + timedelta(minutes=1), b: T0 + timedelta(minutes=9)}
    with ledger.session() as s:
        assert late_tracking.forget_sightings_before(s, "demo", T0 + timedelta(minutes=5)) == 1
        assert late_tracking.first_sightings(s, "demo", [b], record=False) == {b: T0 + timedelta(minutes=9)}


def test_two_runs_cannot_both_record_a_first_sighting(ledger: Ledger) -> None:
    with ledger.session() as s:
        late_tracking.first_sightings(s, "demo", [("FJ-1", "k1")], now=T0)
    with pytest.raises(IntegrityError), ledger.session() as s:
        s.add(ShipmentSighting(merchant_id="demo", order_number="FJ-1", shipment_key="k1",
                                             first_seen_at=T0))


def test_which_shipments_have_begun_their_report(ledger: Ledger) -> None:
    report(ledger, 1, "k1", None, state=log.INTENT)
    with ledger.session() as s:
        assert late_tracking.logged_shipments(s, "demo", [("FJ-1", "k1"), ("FJ-1", "k2"), ("FJ-2", "k1")]) == {
            ("FJ-1", "k1")}


def test_shipments_reported_without_a_waybill_are_followed_until_it_is_written(ledger: Ledger) -> None:
    report(ledger, 1, "k1", "W-1")
    report(ledger, 1, "k2", None)  # the second parcel was reported without its number
    report(ledger, 2, "k1", None, state=log.INTENT)  # not reported yet: not a late-tracking case
    report(ledger, 3, "k1", None, shipped_at=T0 - timedelta(days=30))  # long ago: no longer followed
    report(ledger, 4, "k1", None, state=log.STATUS_CHANGED)
    with ledger.session() as s:
        waiting = late_tracking.reported_without_tracking(s, "demo", shipped_after=T0 - timedelta(days=7))
        assert waiting == {"FJ-1": 1, "FJ-4": 4}
        assert late_tracking.reported_tracking_numbers(s, "demo", waiting) == {"FJ-1": {"W-1"}}
        assert late_tracking.mark_tracking_added(s, "demo", "FJ-1", "W-2") == 1
    with ledger.session() as s:
        assert late_tracking.reported_without_tracking(s, "demo", shipped_after=T0 - timedelta(days=7)) == {
            "FJ-4": 4}
        assert late_tracking.reported_tracking_numbers(s, "demo", ["FJ-1"]) == {"FJ-1": {"W-1", "W-2"}}
