"""Backordered orders in the ledger: which ones may still become "open, in stock", oldest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger import backorders, bindings
from ledger.db import Ledger
from ledger.models import OrderBinding

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def exported(book: Ledger, order_id: int, state: str, *, hours_old: int = 1, **columns: object) -> None:
    with book.session() as s:
        binding = bindings.mark_exported(
            s, "demo", starweb_order_id=order_id, order_number=f"FJ-{order_id}", ongoing_order_id=order_id * 10,
            pushed_hash="h", lines=[], starweb_status_id=1, starweb_created_at=T0 - timedelta(hours=hours_old),
            starweb_modified_at=None, silent=False)
        bindings.mark_initial_status(binding, state=state, ongoing_status=211)
        for name, value in columns.items():
            setattr(binding, name, value)


def test_backordered_orders_not_yet_released_held_or_cancelled_oldest_first(ledger: Ledger) -> None:
    exported(ledger, 1, "open_backordered", hours_old=1)
    exported(ledger, 2, "open_backordered", hours_old=5)
    exported(ledger, 3, "open_in_stock")
    exported(ledger, 4, "open_backordered", on_hold=True)
    exported(ledger, 5, "open_backordered", released_at=T0)
    exported(ledger, 6, "open_backordered", cancelled_at=T0)
    exported(ledger, 7, "open_backordered", initial_status_set=False)  # its status is not set yet
    with ledger.session() as s:
        assert [b.starweb_order_id for b in backorders.backordered_orders(s, "demo")] == [2, 1]
        assert backorders.mark_in_stock(s, "demo", 2, ongoing_status=210)
        assert not backorders.mark_in_stock(s, "demo", 3, ongoing_status=210), "not backordered"
    with ledger.session() as s:
        moved = s.query(OrderBinding).filter_by(starweb_order_id=2).one()
        assert (moved.state, moved.ongoing_status) == ("open_in_stock", 210)
        assert [b.starweb_order_id for b in backorders.backordered_orders(s, "demo")] == [1]
