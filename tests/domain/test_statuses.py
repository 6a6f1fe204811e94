"""The status table: states resolved against a shop's statuses, and derived sets."""

from __future__ import annotations

import pytest

from domain.config import load_merchants
from domain.statuses import OrderState, ShopStatus, StatusTable
from integrations.errors import MappingError

SHOP = [ShopStatus(11, "created"), ShopStatus(12, "picking"), ShopStatus(13, "completed"),
        ShopStatus(14, "canceled"), ShopStatus(5, None), ShopStatus(7, None), ShopStatus(9, None)]


@pytest.fixture
def table() -> StatusTable:
    return StatusTable(load_merchants()["demo"].state_rules(), SHOP)


def test_standard_statuses_resolve_by_id_code_and_custom_ones_by_id(table: StatusTable) -> None:
    assert table.starweb_status_id(OrderState.OPEN_IN_STOCK) == 11
    assert table.starweb_status_id(OrderState.OPEN) == 11
    assert table.starweb_status_id(OrderState.PICKING) == 12
    assert table.starweb_status_id(OrderState.PARTIALLY_SENT) == 5
    assert table.alternate_status_id(OrderState.PARTIALLY_SENT) == 9  # the demo's second "partially sent"
    assert table.states_of_starweb(9) == {OrderState.PARTIALLY_SENT}
    assert table.states_of_starweb(11) == {OrderState.OPEN, OrderState.OPEN_IN_STOCK, OrderState.OPEN_BACKORDERED}
    assert table.is_cancelled_in_starweb(14)


@pytest.mark.parametrize(
    ("number", "state", "started"),
    [(200, OrderState.OPEN, False), (150, OrderState.OPEN, False), (210, OrderState.OPEN_IN_STOCK, False),
     (211, OrderState.OPEN_BACKORDERED, False), (300, OrderState.PICKING, True), (320, OrderState.PICKING, True),
     (400, OrderState.PICKING, True), (450, OrderState.SENT, True), (500, OrderState.SENT, True),
     (800, OrderState.RETURNED, True), (1000, OrderState.CANCELLED, False)],
)
def test_every_ongoing_number_falls_in_one_state(table: StatusTable, number: int, state: OrderState,
                                                 started: bool) -> None:
    assert table.state_of_ongoing(number) is state
    assert table.work_started(number) is started


@pytest.mark.parametrize(("number", "placed"), [(150, False), (200, False), (209, False), (210, True), (211, True),
                                                (250, False), (300, True), (320, True), (500, True), (1000, True)])
def test_below_picking_the_map_places_only_the_open_states_own_numbers(table: StatusTable, number: int,
                                                                        placed: bool) -> None:
    assert table.places(number) is placed


def test_the_ongoing_side_of_the_map_is_described_for_messages(table: StatusTable) -> None:
    assert table.describe_ongoing_map() == ("open_in_stock 210, open_backordered 211, picking 300, partially_sent 450, "
                                            "sent 450, returned 800, cancelled 1000")


def test_a_status_the_shop_does_not_have_is_refused() -> None:
    with pytest.raises(MappingError, match="no order status with idCode 'picking'"):
        StatusTable(load_merchants()["demo"].state_rules(), [s for s in SHOP if s.id_code != "picking"])
    with pytest.raises(MappingError, match="no order status with id 5"):
        StatusTable(load_merchants()["demo"].state_rules(), [s for s in SHOP if s.status_id != 5])
