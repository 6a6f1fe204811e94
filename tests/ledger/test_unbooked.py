"""The register of unbooked Starweb orders: recorded, updated and dropped per order, and checked against
the order bindings (when an order was exported)."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.unbooked_stock import UnbookedOrder
from ledger import bindings
from ledger import unbooked as register
from ledger.db import Ledger

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_orders_are_recorded_updated_and_dropped(ledger: Ledger) -> None:
    with ledger.session() as s:
        register.record_unbooked(s, "demo", {1: UnbookedOrder(1, {"LAMP": 3.0}, T0),
                                             2: UnbookedOrder(2, {"TENT": 1.0})}, settled=[])
        register.record_unbooked(s, "other-shop", {1: UnbookedOrder(1, {"SOCK": 9.0})}, settled=[])
    with ledger.session() as s:
        register.record_unbooked(s, "demo", {2: UnbookedOrder(2, {"TENT": 2.0}, T0)}, settled=[1, 77])
    with ledger.session() as s:
        assert register.unbooked_orders(s, "demo") == {2: UnbookedOrder(2, {"TENT": 2.0}, T0)}
        assert register.unbooked_orders(s, "other-shop") == {1: UnbookedOrder(1, {"SOCK": 9.0})}


def test_when_orders_were_exported(ledger: Ledger) -> None:
    with ledger.session() as s:
        bindings.mark_exported(s, "demo", starweb_order_id=5, order_number="FJ-5", ongoing_order_id=50,
                               pushed_hash="h", lines=[], starweb_status_id=1, starweb_created_at=None,
                               starweb_modified_at=None, silent=False, now=T0)
    with ledger.session() as s:
        assert register.exported_at(s, "demo", [5, 6]) == {5: T0}
        assert register.exported_at(s, "demo", []) == {}
