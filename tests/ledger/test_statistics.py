"""The daily statistics' reads: orders and shipments with a milestone inside the day, none outside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger import bindings, statistics
from ledger import shipments as shipment_log
from ledger.db import Ledger

DAY = datetime(2026, 11, 28, tzinfo=UTC)


def export(book: Ledger, order_id: int, at: datetime, merchant: str = "demo") -> None:
    with book.session() as s:
        bindings.mark_exported(s, merchant, starweb_order_id=order_id, order_number=f"FJ-{order_id}",
                               ongoing_order_id=50000 + order_id, pushed_hash="h", lines=[], starweb_status_id=1,
                               starweb_created_at=at, starweb_modified_at=at, silent=False, now=at)


def test_orders_and_shipments_with_a_milestone_that_day_are_read_and_no_others(ledger: Ledger) -> None:
    export(ledger, 1, DAY - timedelta(minutes=1))  # the evening before
    export(ledger, 2, DAY)  # midnight belongs to the day
    export(ledger, 3, DAY + timedelta(days=1))  # midnight after does not
    export(ledger, 4, DAY + timedelta(hours=9), merchant="other-shop")
    with ledger.session() as s:
        shipment_log.record_intent(s, "demo", starweb_order_id=1, order_number="FJ-1", key="k1", lines={"1": 1},
                                   partial=False, tracking_number=None, tracker_type=None, target_status_id=5,
                                   send_email=True, silent_reason=None, shipped_at=DAY + timedelta(hours=8),
                                   run_token="run-1")
    with ledger.session() as s:
        orders = statistics.orders_with_milestones(s, "demo", DAY, DAY + timedelta(days=1))
        shipments = statistics.shipments_with_milestones(s, "demo", DAY, DAY + timedelta(days=1))
        assert [o.starweb_order_id for o in orders] == [2]
        assert [(x.starweb_order_id, x.shipment_key) for x in shipments] == [(1, "k1")]
        assert statistics.shipments_with_milestones(s, "other-shop", DAY, DAY + timedelta(days=1)) == []
