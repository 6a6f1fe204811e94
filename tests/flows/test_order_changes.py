"""End to end: Starweb-side changes reach the warehouse as the warehouse really holds them — a removed
line is gone whether or not Ongoing deletes rows an update leaves out, a warehouse that does not take
an edit gets the order flagged once — and picking or a cancellation set by hand in Starweb reaches
Ongoing under the release's claim."""

from __future__ import annotations

import pytest

import tasks.runtime
from flows.order_changes import sync_order_changes
from flows.order_export import export_orders
from flows.order_release import release_orders
from flows.order_statuses import sync_order_statuses
from ledger import bindings, quarantine
from ledger import release as release_ledger
from tests.flows.actors import Shop, Warehouse, binding, quarantined, writes

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

PICKING, CANCELLED = 2, 4  # the demo shop's status ids




def ledger_lines(order_id: int) -> dict[str, float]:
    with tasks.runtime.ledger().session() as session:
        found = bindings.find_order(session, "demo", order_id)
        assert found is not None
        return {line.sku: float(line.quantity) for line in found.lines}


@pytest.mark.parametrize("omitted_lines", ["removed", "kept"])
async def test_a_line_removed_in_starweb_is_gone_from_the_warehouse_either_way(
        shop: Shop, warehouse: Warehouse, omitted_lines: str) -> None:
    warehouse.behave(omittedOrderLines=omitted_lines)
    order_id = await shop.place_order([("POLE-CF-120", 1), ("TENT-FJ2", 1), ("SOCK-MER-42", 2)])
    await export_orders("demo")
    number = f"FJ-{order_id}"
    await shop.remove_item(order_id, "TENT-FJ2")
    await shop.set_quantity(order_id, "SOCK-MER-42", 3)

    changed = await sync_order_changes("demo")
    assert changed["updated"] == 1
    assert warehouse.live_lines(number) == {"POLE-CF-120": 1, "SOCK-MER-42": 3}
    # The ledger holds what Ongoing was read back to hold: the kept row at 0 units, or no row at all.
    kept = {"TENT-FJ2": 0.0} if omitted_lines == "kept" else {}
    assert ledger_lines(order_id) == {"POLE-CF-120": 1.0, "SOCK-MER-42": 3.0, **kept}
    assert warehouse.lines(number) == {"POLE-CF-120": 1, "SOCK-MER-42": 3, **kept}
    zero_pushes = [w for w in writes() if w.operation == "PUT /orders" and w.detail
                   and w.detail.get("rowsSetToZero")]
    assert len(zero_pushes) == (1 if omitted_lines == "kept" else 0)
    assert not quarantined("order-change")

    # Nothing is sent twice, and the warehouse's row at 0 is not mistaken for a change made there.
    before = len(writes())
    assert "updated" not in await sync_order_changes("demo")
    await sync_order_statuses("demo")
    assert writes()[before:] == []
    assert [item.sku for item in (await shop.order(order_id)).items or []] == ["POLE-CF-120", "SOCK-MER-42"]


async def test_a_warehouse_that_keeps_the_row_and_refuses_zero_gets_the_order_flagged_once(
        shop: Shop, warehouse: Warehouse) -> None:
    warehouse.behave(omittedOrderLines="kept", zeroQuantityLines="refused")
    order_id = await shop.place_order([("POLE-CF-120", 1), ("TENT-FJ2", 1)])
    await export_orders("demo")
    number = f"FJ-{order_id}"
    await shop.remove_item(order_id, "TENT-FJ2")

    changed = await sync_order_changes("demo")
    assert changed["refused"] == 1 and "updated" not in changed
    assert warehouse.lines(number) == {"POLE-CF-120": 1, "TENT-FJ2": 1}
    assert ledger_lines(order_id) == {"POLE-CF-120": 1.0, "TENT-FJ2": 1.0}, "the ledger says what Ongoing holds"
    held = quarantined("order-change")[str(order_id)]
    assert f"Ongoing order {number} keeps them" in held.reason and "refused to set them to 0" in held.reason
    assert sum("nådde inte lagret" in text for text in await shop.comments(order_id)) == 1

    before = len(writes())
    again = await sync_order_changes("demo")
    assert "refused" not in again, "flagged once"
    assert writes()[before:] == []
    assert sum("nådde inte lagret" in text for text in await shop.comments(order_id)) == 1


async def test_picking_set_by_hand_in_starweb_moves_the_warehouse_once(shop: Shop, warehouse: Warehouse) -> None:
    by_hand = await shop.place_order([("POLE-CF-120", 1)])
    held_back = await shop.place_order([("THERMOS-1L", 1)])
    await export_orders("demo")
    with tasks.runtime.ledger().session() as session:
        release_ledger.set_hold(session, "demo", held_back, True)
    await shop.set_status(by_hand, PICKING)
    await shop.set_status(held_back, PICKING)

    changed = await sync_order_changes("demo")
    assert changed["moved to picking"] == 1
    assert warehouse.status(f"FJ-{by_hand}") == 300
    assert binding(by_hand).released_at is not None and binding(by_hand).state == "picking"
    assert warehouse.status(f"FJ-{held_back}") == 210, "on hold in the connector"
    assert "on hold" in quarantined("order-change")[str(held_back)].reason
    assert any("Plockning skickades inte" in text for text in await shop.comments(held_back))

    # Neither the release nor another sync moves it again.
    before = len(writes())
    released = await release_orders("demo", order_ids=[by_hand])
    assert "released" not in released
    assert "moved to picking" not in await sync_order_changes("demo")
    assert [w for w in writes()[before:] if w.outcome == "written"] == []


async def test_a_cancellation_set_by_hand_waits_while_a_release_holds_the_order(shop: Shop,
                                                                                 warehouse: Warehouse) -> None:
    order_id = await shop.place_order([("POLE-CF-120", 1)])
    await export_orders("demo")
    found = binding(order_id)
    assert found is not None
    with tasks.runtime.ledger().session() as session:
        assert release_ledger.claim_for_release(session, found.id, "another-release-run")
    await shop.set_status(order_id, CANCELLED)

    waiting = await sync_order_changes("demo")
    assert waiting["quarantined"] == 1
    assert warehouse.status(f"FJ-{order_id}") == 210
    assert "a release run is moving" in quarantined("order-change")[str(order_id)].reason

    with tasks.runtime.ledger().session() as session:
        release_ledger.let_go(session, "another-release-run")
    _due_now(str(order_id))
    done = await sync_order_changes("demo")
    assert done["cancelled"] == 1
    assert warehouse.status(f"FJ-{order_id}") == 1000
    assert binding(order_id).state == "cancelled"
    assert not quarantined("order-change")
    assert "released" not in await release_orders("demo")


def _due_now(key: str) -> None:
    with tasks.runtime.ledger().session() as session:
        entry = quarantine.find_entry(session, "demo", "order-change", key)
        assert entry is not None
        quarantine.retry_now(session, entry.id)
