"""Stock math: initial order state from sellable stock, and the shop's stock figure."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.statuses import OrderState
from domain.stock import SellableStock, shop_stock


def test_orders_consume_stock_in_the_order_they_are_judged() -> None:
    stock = SellableStock({"TENT": 2, "SOCK": 10})
    assert stock.judge([("TENT", 1), ("SOCK", 2)]) is OrderState.OPEN_IN_STOCK
    assert stock.judge([("TENT", 1)]) is OrderState.OPEN_IN_STOCK
    assert stock.judge([("TENT", 1)]) is OrderState.OPEN_BACKORDERED
    assert stock.left("TENT") == -1


def test_lines_of_the_same_sku_are_added_up() -> None:
    assert SellableStock({"SOCK": 3}).judge([("SOCK", 2), ("SOCK", 2)]) is OrderState.OPEN_BACKORDERED


def test_a_sku_the_warehouse_does_not_hold_is_backordered() -> None:
    assert SellableStock({}).judge([("NEW", 1)]) is OrderState.OPEN_BACKORDERED


@given(st.floats(min_value=-50, max_value=10_000, allow_nan=False), st.integers(min_value=0, max_value=100))
def test_shop_stock_is_never_negative_and_never_above_sellable(sellable: float, buffer: int) -> None:
    shown = shop_stock(sellable, buffer)
    assert 0 <= shown <= max(0, sellable)
    if sellable - buffer >= 1:
        assert shown == int(sellable) - buffer
