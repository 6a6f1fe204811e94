"""Bad inputs, the shop's clock: Starweb stamps ``modifiedAt`` with its own clock and the export reads from
its cursor (the connector's clock) less ``orders.overlap_minutes``. A shop clock five minutes behind or ahead
must lose no order and send none twice."""

from __future__ import annotations

import pytest

from flows.order_export import export_orders
from tests.flows.actors import Shop, Warehouse
from tests.flows.conftest import World

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


async def test_a_shop_clock_five_minutes_behind_or_ahead_loses_no_order_and_sends_none_twice(world: World) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    on_time = await shop.place_order([("POLE-CF-120", 1)])
    assert (await export_orders("demo")).get("created") == 1  # the cursor now stands at this run's start

    world.starweb.post("/_sim/clock/advance", json={"seconds": -300}).raise_for_status()
    behind = await shop.place_order([("SOCK-MER-42", 1)])  # modified "before" the cursor
    assert (await export_orders("demo")).get("created") == 1

    world.starweb.post("/_sim/clock/advance", json={"seconds": 600}).raise_for_status()
    ahead = await shop.place_order([("TENT-FJ2", 1)])  # modified in the connector's future
    assert (await export_orders("demo")).get("created") == 1
    again = await export_orders("demo")  # the order from the future is still in the window

    assert again.get("created", 0) == 0
    for order_id in (on_time, behind, ahead):
        assert warehouse.order(f"FJ-{order_id}") is not None, order_id
