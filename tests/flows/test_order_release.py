"""End to end: the order release moves exactly the right orders to picking in both systems, heals a
release a fault left half done, never releases twice, and a dry run changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

import tasks.runtime
from flows.order_export import export_orders
from flows.order_release import release_orders
from flows.order_statuses import sync_order_statuses
from flows.stock_sync import sync_stock
from ledger import release as release_ledger
from tests.flows.actors import Shop, Warehouse, binding, writes
from tests.flows.conftest import World

PICKING_IN_STARWEB = 2




def hold(order_id: int) -> None:
    with tasks.runtime.ledger().session() as session:
        assert release_ledger.set_hold(session, "demo", order_id, True)


def ongoing_status_writes(order_number: str) -> int:
    return sum(1 for w in writes() if w.operation.endswith("/orderStatus") and w.key == order_number
               and w.outcome == "written" and w.detail == {"orderStatusNumber": 300})


async def test_release_moves_the_right_orders_and_heals_a_half_done_one(world: World, shop: Shop,
                                                                        warehouse: Warehouse) -> None:
    now = datetime.now(UTC)
    early_a = await shop.place_order([("SOCK-MER-42", 1)], created_at=now - timedelta(hours=3))
    early_b = await shop.place_order([("POLE-CF-120", 1)], created_at=now - timedelta(hours=2))
    late = await shop.place_order([("THERMOS-1L", 1)], created_at=now - timedelta(minutes=5))
    held = await shop.place_order([("TENT-FJ2", 1)], created_at=now - timedelta(hours=4))
    await export_orders("demo")
    hold(held)
    cutoff = now - timedelta(hours=1)

    preview = await release_orders("demo", dry_run=True, created_before=cutoff)
    assert preview == {"would release": 2, "not released": 2}
    assert {warehouse.status(f"FJ-{o}") for o in (early_a, early_b, late, held)} == {210}
    exported_writes = len(writes())

    # Starweb fails the first status change: the warehouse side is done, Starweb's is not.
    world.starweb.post("/_sim/faults", json={"scripted": [{"fault": "500", "method": "PATCH",
                                                           "path_contains": "/orders/"}]}).raise_for_status()
    first = await release_orders("demo", created_before=cutoff)
    assert first["released"] == 1 and first["quarantined"] == 1
    assert warehouse.status(f"FJ-{early_a}") == 300
    assert (await shop.order(early_a)).status_id == 1, "half done: Starweb still says created"
    assert warehouse.status(f"FJ-{early_b}") == 300
    assert (await shop.order(early_b)).status_id == PICKING_IN_STARWEB
    assert warehouse.status(f"FJ-{late}") == 210, "created after the cutoff"
    assert warehouse.status(f"FJ-{held}") == 210, "on hold"

    healed = await release_orders("demo", created_before=cutoff)
    assert healed["released"] == 1
    assert (await shop.order(early_a)).status_id == PICKING_IN_STARWEB
    assert ongoing_status_writes(f"FJ-{early_a}") == 1, "the warehouse step is not repeated"
    assert binding(early_a).released_at is not None

    again = await release_orders("demo", created_before=cutoff)
    assert "released" not in again
    assert len([w for w in writes()[exported_writes:] if w.outcome == "written"]) == 4

    asked = await release_orders("demo", order_ids=[held])
    assert asked == {"not released": 1}
    assert warehouse.status(f"FJ-{held}") == 210

    # The warehouse releases an order itself: Starweb follows within one status-sync run.
    warehouse.move(f"FJ-{late}", 300)
    await sync_order_statuses("demo")
    assert (await shop.order(late)).status_id == PICKING_IN_STARWEB
    emails = world.starweb.get("/_sim/emails").json()["data"]
    assert not [e for e in emails if e.get("statusId") == PICKING_IN_STARWEB], "picking mails no customer"


async def test_two_release_runs_at_the_same_moment_release_each_order_once(shop: Shop, warehouse: Warehouse) -> None:
    orders = [await shop.place_order([("SOCK-MER-38", 1)]) for _ in range(3)]
    await export_orders("demo")
    results = await asyncio.gather(release_orders("demo"), release_orders("demo"))
    assert sum(r.get("released", 0) for r in results) == 3
    for order_id in orders:
        assert warehouse.status(f"FJ-{order_id}") == 300
        assert ongoing_status_writes(f"FJ-{order_id}") == 1
        assert (await shop.order(order_id)).status_id == PICKING_IN_STARWEB


@pytest.mark.parametrize("sellable_floor_zero", [False, True], ids=["sellable-negative", "sellable-stops-at-0"])
async def test_backorders_stock_now_covers_are_released_as_in_stock_oldest_first(
        world: World, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch,
        sellable_floor_zero: bool) -> None:
    # Whether Ongoing reports a negative sellable figure is unknown: the connector must decide alike.
    monkeypatch.setattr(world.sims.ongoing_settings, "sellable_floor_zero", sellable_floor_zero)
    merchant_file = world.merchants_dir / "demo.yaml"  # this merchant releases in-stock orders only
    releasable = "  releasable_starweb_statuses: [created]"
    merchant_file.write_text(merchant_file.read_text().replace(releasable, f"{releasable}\n  skip_backordered: true"))
    now = datetime.now(UTC)
    first = await shop.place_order([("HEADLAMP-400", 3)], created_at=now - timedelta(hours=4))  # all 3 on the shelf
    older = await shop.place_order([("HEADLAMP-400", 2)], created_at=now - timedelta(hours=3))
    younger = await shop.place_order([("HEADLAMP-400", 1)], created_at=now - timedelta(hours=2))
    await export_orders("demo")
    assert [warehouse.status(f"FJ-{o}") for o in (first, older, younger)] == [210, 211, 211]

    # Two headlamps arrive: enough for the older backorder, none left for the younger one.
    world.ongoing.post("/_sim/articles/HEADLAMP-400/stock", json={"delta": 2}).raise_for_status()
    assert warehouse.article("HEADLAMP-400")["inventoryInfo"]["sellableNumberOfItems"] == (
        0 if sellable_floor_zero else 5 - 6)
    preview = await release_orders("demo", dry_run=True)
    assert preview == {"would move to in stock": 1, "would release": 2, "not released": 1}
    assert warehouse.status(f"FJ-{older}") == 211, "a dry run writes nothing"

    released = await release_orders("demo")
    assert (released["moved to in stock"], released["released"], released["not released"]) == (1, 2, 1)
    assert [warehouse.status(f"FJ-{o}") for o in (first, older, younger)] == [300, 300, 211]
    assert binding(older).state == "picking" and binding(younger).state == "open_backordered"

    # One more arrives: the stock sync moves the younger backorder on between releases.
    world.ongoing.post("/_sim/articles/HEADLAMP-400/stock", json={"delta": 1}).raise_for_status()
    synced = await sync_stock("demo")
    assert synced["moved to in stock"] == 1
    assert warehouse.status(f"FJ-{younger}") == 210 and binding(younger).state == "open_in_stock"


async def test_an_order_cancelled_in_starweb_during_the_release_keeps_its_cancellation(
        world: World, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    import tasks.release

    kept, cancelled = await shop.place_order([("SOCK-MER-42", 1)]), await shop.place_order([("THERMOS-1L", 1)])
    await export_orders("demo")
    move_in_warehouse = tasks.release._move_in_warehouse
    cancelled_by_hand: list[int] = []

    async def a_person_cancels_meanwhile(*args: object, **kwargs: object) -> bool:
        # After the run listed the releasable orders, before it writes anything to Starweb.
        if not cancelled_by_hand:
            await shop.set_status(cancelled, 4)
            cancelled_by_hand.append(cancelled)
        return await move_in_warehouse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tasks.release, "_move_in_warehouse", a_person_cancels_meanwhile)
    world.starweb.delete("/_sim/calls").raise_for_status()
    result = await release_orders("demo")
    held = world.starweb.get("/_sim/calls").json()["calls"]

    assert result.get("released") == 1 and result.get("quarantined") == 1
    assert (await shop.order(kept)).status_id == PICKING_IN_STARWEB
    assert (await shop.order(cancelled)).status_id == 4, "the person's cancellation stands"
    assert warehouse.status(f"FJ-{cancelled}") == 300, "the warehouse has to stop it by hand, and is told so"
    assert not any(endpoint.startswith("GET /orders/{") for endpoint in held), "found without reading each order"
