"""End to end: orders placed in the Starweb simulator end up in the right place — the Ongoing simulator,
the quarantine, or back in Starweb — and running each flow again writes nothing."""

from __future__ import annotations

import pytest

import tasks.runtime
from flows.order_changes import sync_order_changes
from flows.order_export import export_orders
from flows.order_statuses import sync_order_statuses
from flows.product_sync import sync_products
from integrations.starweb.models import ProductCreate, ProductLanguageWrite, VariantWrite
from ledger import quarantine
from ledger.models import Cursor
from tests.flows.actors import Shop, Warehouse, binding, quarantined, writes

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")




@pytest.mark.parametrize("omitted_lines", ["removed", "kept"])
async def test_orders_flow_to_the_warehouse_and_changes_flow_both_ways(shop: Shop, warehouse: Warehouse,
                                                                       omitted_lines: str) -> None:
    # Whether Ongoing deletes rows an update leaves out is unknown: the story holds either way.
    warehouse.behave(omittedOrderLines=omitted_lines)
    in_stock = await shop.place_order([("POLE-CF-120", 1), ("SOCK-MER-42", 2)])
    backordered = await shop.place_order([("HEADLAMP-400", 5)])  # the warehouse holds 3
    unknown_sku = await shop.place_order([("POLE-CF-120", 1), ("GHOST-1", 1)])
    unmapped = await shop.place_order([("THERMOS-1L", 1)], shipping_method_id=4)
    no_address = await shop.place_order([("THERMOS-1L", 1)], address=None)
    edited = await shop.place_order([("SOCK-MER-38", 1), ("POLE-CF-135", 1)])
    edited_in_picking = await shop.place_order([("TENT-FJ2", 1)])
    cancelled_early = await shop.place_order([("THERMOS-1L", 2)])
    cancelled_in_picking = await shop.place_order([("POLE-CF-135", 1)])

    await sync_products("demo")
    first = await export_orders("demo")
    assert first["created"] == 6
    assert first["quarantined"] == 3

    number = {order_id: f"FJ-{order_id}" for order_id in range(in_stock, cancelled_in_picking + 1)}
    assert warehouse.status(number[in_stock]) == 210, "open, in stock"
    assert warehouse.status(number[backordered]) == 211, "open, backordered"
    assert warehouse.lines(number[in_stock]) == {"POLE-CF-120": 1, "SOCK-MER-42": 2}
    for refused in (unknown_sku, unmapped, no_address):
        assert warehouse.order(number[refused]) is None
    held = quarantined("order")
    assert "GHOST-1" in held[str(unknown_sku)].reason
    assert "shipping method 4" in held[str(unmapped)].reason
    assert "delivery address" in held[str(no_address)].reason
    assert binding(in_stock).state == "open_in_stock"

    # Running the export again writes nothing.
    before = len(writes())
    again = await export_orders("demo")
    assert len(writes()) == before
    assert "created" not in again

    # The merchant edits and cancels in Starweb; the warehouse starts on two orders first.
    warehouse.move(number[edited_in_picking], 300)
    warehouse.move(number[cancelled_in_picking], 300)
    await shop.set_quantity(edited, "SOCK-MER-38", 3)
    await shop.add_item(edited, "THERMOS-1L", 1)
    await shop.remove_item(edited, "POLE-CF-135")
    await shop.set_quantity(edited_in_picking, "TENT-FJ2", 2)
    await shop.set_status(cancelled_early, 4)
    await shop.set_status(cancelled_in_picking, 4)

    changes = await sync_order_changes("demo")
    assert changes["updated"] == 1
    assert changes["cancelled"] == 1
    assert changes["refused"] == 2
    assert warehouse.live_lines(number[edited]) == {"SOCK-MER-38": 3, "THERMOS-1L": 1}
    assert warehouse.status(number[cancelled_early]) == 1000
    assert warehouse.lines(number[edited_in_picking]) == {"TENT-FJ2": 1}, "the warehouse's picking is not disturbed"
    assert warehouse.status(number[cancelled_in_picking]) == 300
    assert any("redan börjat" in text for text in await shop.comments(edited_in_picking))
    assert any("Makuleringen" in text for text in await shop.comments(cancelled_in_picking))
    held = quarantined("order-change")
    assert set(held) == {str(edited_in_picking), str(cancelled_in_picking)}
    assert "after the warehouse started" in held[str(edited_in_picking)].reason

    before = len(writes())
    assert "refused" not in await sync_order_changes("demo"), "a refusal is flagged once"
    assert len(writes()) == before

    # The warehouse side: picking started in Ongoing reaches Starweb; a short pick is noted.
    statuses = await sync_order_statuses("demo")
    assert statuses["status set"] == 1, "the TPL started picking; the other order is cancelled in Starweb"
    assert (await shop.order(edited_in_picking)).status_id == 2
    warehouse.pick(number[in_stock], [{"rowNumber": row, "numberOfItems": qty} for row, qty in
                                      _rows(warehouse, number[in_stock], {"POLE-CF-120": 1, "SOCK-MER-42": 1})])
    noted = await sync_order_statuses("demo")
    assert noted.get("commented") == 1
    assert any("SOCK-MER-42: 1 av 2" in text for text in await shop.comments(in_stock))
    before = len(writes())
    await sync_order_statuses("demo")
    assert [(w.operation, w.key, w.detail) for w in writes()[before:]] == []

    # The unknown SKU becomes known once the product exists; a person asks for a retry.
    await _create_product(shop, "GHOST-1")
    await sync_products("demo")
    _retry_now("order", str(unknown_sku))
    retried = await export_orders("demo")
    assert retried["created"] == 1
    assert warehouse.status(number[unknown_sku]) in (210, 211)
    assert str(unknown_sku) not in quarantined("order")


def _rows(warehouse: Warehouse, order_number: str, picked: dict[str, int]) -> list[tuple[str, int]]:
    order = warehouse.order(order_number)
    assert order is not None
    return [(line["rowNumber"], picked[line["article"]["articleNumber"]]) for line in order["orderLines"]]


async def _create_product(shop: Shop, sku: str) -> int:
    async with shop.client() as client:
        product = await client.create_product(ProductCreate(
            languages=[ProductLanguageWrite(lang_code="sv", name="Spökprodukt")],
            variants=[VariantWrite(sku=sku, stock_quantity=5, weight_in_kg=0.1)]))
    return product.product_id


def _retry_now(kind: str, key: str) -> None:
    with tasks.runtime.ledger().session() as session:
        entry = quarantine.find_entry(session, "demo", kind, key)
        assert entry is not None
        quarantine.retry_now(session, entry.id)


async def test_products_become_articles_once_and_removed_ones_are_retired(shop: Shop, warehouse: Warehouse) -> None:
    product_id = await _create_product(shop, "LANTERN-1")
    preview = await sync_products("demo", dry_run=True)
    assert preview["would send"] >= 1
    assert warehouse.article("LANTERN-1") is None, "a dry run writes nothing"
    assert writes() == []

    first = await sync_products("demo")
    article = warehouse.article("LANTERN-1")
    assert article is not None and article["articleName"] == "Spökprodukt"
    assert article["weight"] == 0.1 and article["isActive"] is True
    assert first["created"] >= 1
    before = len(writes())
    second = await sync_products("demo")
    assert len(writes()) == before, "unchanged products are skipped by hash"
    assert "created" not in second

    async with shop.client() as client:
        await client.delete_product(product_id)
    _forget_removal_check()
    retired = await sync_products("demo")
    assert retired["deactivated"] == 1
    assert warehouse.article("LANTERN-1")["isActive"] is False
    order_id = await shop.place_order([("THERMOS-1L", 1)])
    dry = await export_orders("demo", dry_run=True)
    assert dry["would create"] == 1
    assert warehouse.order(f"FJ-{order_id}") is None
    assert binding(order_id) is None


def _forget_removal_check() -> None:
    with tasks.runtime.ledger().session() as session:
        session.query(Cursor).filter(Cursor.stream == "starweb-products-removal-check").delete()
