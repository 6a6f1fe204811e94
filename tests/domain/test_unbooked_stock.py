"""Unbooked stock: which Starweb orders hold units the warehouse does not book yet, and how many Starweb's
stock figure must keep back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.stock_sync import ShopLevel, WarehouseLevel, plan_stock_writes
from domain.unbooked_stock import (
    UnbookedOrder,
    booked_orders,
    holds_unbooked_units,
    order_units,
    unbooked_units,
    update_unbooked,
)
from integrations.starweb.models import Order
from tests.integrations.starweb.payloads import order as order_json
from tests.integrations.starweb.payloads import order_item

CREATED, PICKING, CANCELED, AWAITING_PAYMENT = 1, 2, 4, 8
HOLDING = {CREATED}  # the statuses the connector exports from
MODIFIED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def order(order_id: int, items: list[tuple[str, int]], status_id: int = CREATED, **fields: Any) -> Order:
    return Order.model_validate(order_json(order_id, statusId=status_id, modifiedAt=MODIFIED.isoformat(),
                                           items={"data": [order_item(i, sku=sku, quantity=qty)
                                                           for i, (sku, qty) in enumerate(items, 1)]}, **fields))


def test_an_order_holds_the_units_the_warehouse_will_book_bundles_as_parts() -> None:
    kit = order_item(10, sku="KIT-HIKE", quantity=1, bundledItems={"data": [
        order_item(11, sku="POLE-CF-120", quantity=2), order_item(12, sku="SOCK-MER-42", quantity=1)]})
    starweb = Order.model_validate(order_json(1, items={"data": [order_item(1, sku="SOCK-MER-42", quantity=2), kit]}))
    assert order_units(starweb) == {"SOCK-MER-42": 3.0, "POLE-CF-120": 2.0}


@pytest.mark.parametrize(
    ("status_id", "complete", "holds"),
    [(CREATED, True, True), (PICKING, True, False), (CANCELED, True, False), (AWAITING_PAYMENT, True, False),
     (CREATED, False, False)],
    ids=["waits-for-export", "someone-elses-process", "cancelled", "not-exportable", "unpaid"],
)
def test_only_orders_waiting_for_export_hold_unbooked_units(status_id: int, complete: bool, holds: bool) -> None:
    assert holds_unbooked_units(order(1, [("LAMP", 1)], status_id, isComplete=complete), HOLDING) is holds


def test_the_register_follows_what_starweb_shows_now() -> None:
    known = {1: UnbookedOrder(1, {"LAMP": 3.0}), 2: UnbookedOrder(2, {"TENT": 1.0}), 3: UnbookedOrder(3, {"TENT": 2.0})}
    seen = [order(2, [("TENT", 2)]),  # the customer raised the quantity
            order(3, [("TENT", 2)], CANCELED),  # cancelled: its units went back in Starweb
            order(4, [("SOCK", 5)])]  # just placed
    current = update_unbooked(known, seen, holding_status_ids=HOLDING)
    assert current == {1: UnbookedOrder(1, {"LAMP": 3.0}), 2: UnbookedOrder(2, {"TENT": 2.0}, MODIFIED),
                       4: UnbookedOrder(4, {"SOCK": 5.0}, MODIFIED)}, "an order not seen again is kept"


def test_units_are_summed_over_the_orders_the_warehouse_figures_do_not_include() -> None:
    orders = {1: UnbookedOrder(1, {"LAMP": 3.0}), 2: UnbookedOrder(2, {"TENT": 2.0, "LAMP": 1.0}),
              3: UnbookedOrder(3, {"TENT": 1.0})}
    assert unbooked_units(orders, booked={2}) == {"LAMP": 3.0, "TENT": 1.0}
    assert unbooked_units({}, booked=set()) == {}


def test_an_order_exported_while_the_warehouse_was_read_still_counts_as_unbooked() -> None:
    read_at = MODIFIED
    exported = {1: read_at - timedelta(seconds=1), 2: read_at, 3: read_at + timedelta(seconds=5), 4: None}
    assert booked_orders(exported, warehouse_read_at=read_at) == {1, 4}


@pytest.mark.parametrize(
    ("sellable", "unbooked", "buffer", "current", "target"),
    [
        (3, 3, 0, 0, 0),  # the headlamp case: 3 on the shelf, all 3 held by a quarantined order
        (4, 1, 0, 3, 3),  # a tent ordered between an export and the sync: Starweb already shows 3
        (4, 1, 2, 3, 1),  # the buffer comes on top
        (2, 5, 0, -3, 0),  # never below zero
        (6, 0.5, 0, 6, 5),  # a fraction held: never offer a unit that is not whole
    ],
)
def test_starweb_stock_keeps_back_what_unbooked_orders_hold(sellable: float, unbooked: float, buffer: int,
                                                           current: int, target: int) -> None:
    plan = plan_stock_writes([WarehouseLevel("SKU", sellable)], [ShopLevel("SKU", 1, 2, current)],
                             safety_buffer=buffer, unbooked={"SKU": unbooked, "OTHER": 9})
    (row,) = plan.writes or plan.unchanged
    assert (row.target, row.unbooked, bool(plan.writes)) == (target, unbooked, current != target)
