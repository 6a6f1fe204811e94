"""Stock bookkeeping of the Ongoing simulator, as pure functions: what a web shop may still sell."""

from __future__ import annotations

from integrations.ongoing.simulator.stock import (
    OrderLineQuantities,
    OrderQuantities,
    PurchaseLineQuantities,
    PurchaseOrderQuantities,
    compute_inventories,
    sellable,
)

OPEN, PICKED, SENT, CANCELLED = 200, 400, 450, 1000


def order(status: int, *lines: OrderLineQuantities) -> OrderQuantities:
    return OrderQuantities(status, lines)


def test_open_orders_book_what_they_still_need_and_sellable_is_physical_minus_booked() -> None:
    figures = compute_inventories(
        {"TENT": 6.0},
        [order(OPEN, OrderLineQuantities("TENT", 2)), order(OPEN, OrderLineQuantities("TENT", 3))],
        [],
    )["TENT"]
    assert figures.number_of_items == 6
    assert figures.number_of_booked_items == 5
    assert figures.sellable_number_of_items == 1


def test_sent_and_cancelled_orders_book_nothing() -> None:
    figures = compute_inventories(
        {"TENT": 6.0},
        [order(SENT, OrderLineQuantities("TENT", 2, picked=2, shipped=2)),
         order(CANCELLED, OrderLineQuantities("TENT", 4))],
        [],
    )["TENT"]
    assert figures.number_of_booked_items == 0
    assert figures.sellable_number_of_items == 6


def test_picked_units_waiting_for_collection_are_allocated_and_not_sellable() -> None:
    # 10 on hand, an order for 4 of which 3 are picked and still in the house.
    figures = compute_inventories({"SOCK": 10.0}, [order(PICKED, OrderLineQuantities("SOCK", 4, picked=3))], [])["SOCK"]
    assert figures.number_of_booked_items == 1
    assert figures.allocated_number_of_items == 3
    assert figures.locked_for_sale_number_of_items == 3
    assert figures.picked_to_be_collected_number_of_items == 3
    assert figures.sellable_number_of_items == 6


def test_sellable_matches_ongoings_published_formula() -> None:
    # sellable = physical − lockedForSale − max(0, ordered − allocated), over the open demand.
    figures = compute_inventories({"SOCK": 10.0}, [order(PICKED, OrderLineQuantities("SOCK", 4, picked=3))], [])["SOCK"]
    assert figures.sellable_number_of_items == sellable(physical=10, locked_for_sale=3, ordered=4, allocated=3)
    assert sellable(physical=2, locked_for_sale=0, ordered=5, allocated=0) == -3  # oversold shows as negative


def test_open_purchase_orders_count_what_is_still_to_receive() -> None:
    figures = compute_inventories(
        {"POLE": 0.0},
        [],
        [PurchaseOrderQuantities(100, (PurchaseLineQuantities("POLE", 10),)),
         PurchaseOrderQuantities(400, (PurchaseLineQuantities("POLE", 10, received=7),)),
         PurchaseOrderQuantities(500, (PurchaseLineQuantities("POLE", 5, received=5),)),
         PurchaseOrderQuantities(900, (PurchaseLineQuantities("POLE", 8),))],
    )["POLE"]
    assert figures.to_receive_number_of_items == 13
    assert figures.received_to_be_reported_number_of_items == 12


def test_reported_counters_track_what_the_integration_has_not_acknowledged() -> None:
    lines = (OrderLineQuantities("THERMOS", 2, picked=2, shipped=2, returned=1, reported=2, reported_returned=None),
             OrderLineQuantities("THERMOS", 1, picked=1, shipped=1, reported=None))
    figures = compute_inventories({"THERMOS": 5.0}, [order(SENT, *lines)], [])["THERMOS"]
    assert figures.picked_to_be_reported_number_of_items == 1
    assert figures.returned_to_be_reported_number_of_items == 1


def test_articles_without_physical_stock_still_get_figures() -> None:
    figures = compute_inventories({}, [order(OPEN, OrderLineQuantities("NEW", 2))], [])
    assert figures["NEW"].number_of_items == 0
    assert figures["NEW"].sellable_number_of_items == -2


def test_the_sellable_figure_may_stop_at_zero_as_a_setting() -> None:
    wanting = [order(OPEN, OrderLineQuantities("TENT", 8))]
    assert compute_inventories({"TENT": 6.0}, wanting, [])["TENT"].sellable_number_of_items == -2
    floored = compute_inventories({"TENT": 6.0}, wanting, [], sellable_floor_zero=True)["TENT"]
    assert (floored.sellable_number_of_items, floored.number_of_booked_items, floored.number_of_items) == (0, 8, 6)
