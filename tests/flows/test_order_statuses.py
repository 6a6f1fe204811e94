"""End to end: what the warehouse shows reaches Starweb once and only when it makes sense — a short-pick
comment whose answer was lost is not posted twice, an order "sent" with nothing picked is held for a
person instead of being recorded as sent, and a status the merchant's map does not know is flagged
naming the status and the map, then closed once the warehouse moves the order back."""

from __future__ import annotations

import pytest

from flows.order_export import export_orders
from flows.order_release import release_orders
from flows.order_statuses import sync_order_statuses
from tests.flows.actors import Shop, Warehouse, binding, quarantined, writes
from tests.flows.conftest import World

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CREATED = 1  # the demo shop's status id




async def test_a_short_pick_comment_whose_answer_was_lost_is_posted_once(world: World, shop: Shop,
                                                                         warehouse: Warehouse) -> None:
    order_id = await shop.place_order([("SOCK-MER-42", 2)])
    await export_orders("demo")
    number = f"FJ-{order_id}"
    (line,) = (warehouse.order(number) or {})["orderLines"]
    warehouse.pick(number, [{"rowNumber": line["rowNumber"], "numberOfItems": 1}])
    world.starweb.post("/_sim/faults", json={"scripted": [{"fault": "lost_answer", "method": "POST",
                                                           "path_contains": "/comments"}]}).raise_for_status()

    lost = await sync_order_statuses("demo")
    assert lost["quarantined"] == 1, "the answer never came back"
    assert sum("plockade färre" in text for text in await shop.comments(order_id)) == 1, "but the comment landed"

    again = await sync_order_statuses("demo")
    assert again["commented"] == 1
    assert sum("plockade färre" in text for text in await shop.comments(order_id)) == 1
    assert str(order_id) not in quarantined("order-status")
    before = len(writes())
    await sync_order_statuses("demo")
    assert writes()[before:] == []


async def test_an_order_sent_with_nothing_picked_is_held_for_a_person_not_recorded_as_sent(
        shop: Shop, warehouse: Warehouse) -> None:
    order_id = await shop.place_order([("THERMOS-1L", 1)])
    await export_orders("demo")
    warehouse.move(f"FJ-{order_id}", 500)

    flagged = await sync_order_statuses("demo")
    assert flagged["quarantined"] == 1
    held = quarantined("order-status")[str(order_id)]
    assert "status 500 (Hämtad)" in held.reason and "no item of it was picked" in held.reason
    found = binding(order_id)
    assert found is not None and found.state == "open_in_stock" and found.ongoing_status == 500
    assert (await shop.order(order_id)).status_id == CREATED
    comments = await shop.comments(order_id)
    assert [text for text in comments if "status 500" in text] and not [t for t in comments if "plockade" in t]

    before = len(writes())
    assert "quarantined" not in await sync_order_statuses("demo"), "held until due, not flagged every run"
    assert writes()[before:] == []
    assert len(await shop.comments(order_id)) == len(comments)


async def test_a_status_the_map_does_not_know_is_flagged_naming_it_until_the_warehouse_moves_back(
        shop: Shop, warehouse: Warehouse) -> None:
    order_id = await shop.place_order([("THERMOS-1L", 1)])
    await export_orders("demo")
    number = f"FJ-{order_id}"
    warehouse.move(number, 150)

    flagged = await sync_order_statuses("demo")
    assert flagged["quarantined"] == 1
    reason = quarantined("order-status")[str(order_id)].reason
    assert "Ongoing status 150 (Fel) is not in the status map of merchant file demo.yaml" in reason
    assert "open_in_stock 210" in reason and "cancelled 1000" in reason
    assert "released" not in await release_orders("demo"), "held orders are not released"
    assert warehouse.status(number) == 150

    warehouse.move(number, 210)
    settled = await sync_order_statuses("demo")
    assert "quarantined" not in settled
    assert str(order_id) not in quarantined("order-status")
    assert (await release_orders("demo"))["released"] == 1
