"""End to end: every kind of quarantined record is retried when due by the flow that owns it (also when a
person asks with ``swo quarantine retry``) and closed when its cause is gone."""

from __future__ import annotations

from datetime import timedelta

from typer.testing import CliRunner

import tasks.runtime
from flows.order_changes import sync_order_changes
from flows.order_export import export_orders
from flows.order_release import release_orders
from flows.product_sync import sync_products
from flows.shipment_report import report_shipments
from integrations.starweb.models import ProductCreate, ProductLanguageWrite, VariantWrite
from ledger import quarantine
from ledger.cursors import advance_time_cursor
from ledger.models import QuarantineEntry
from ledger.types import utcnow
from swo.cli import app
from tests.flows.actors import Shop, Warehouse, binding, ledger_rows, quarantined, writes
from tests.flows.conftest import World

CANCELED = 4  # the demo shop's status id




def refuse_next(world: World, method: str, path_contains: str, times: int = 1) -> None:
    """Ongoing answers the next matching calls with a 429 asking for two minutes' patience: the transport hands
    that to the connector instead of waiting, so the record is quarantined as transient."""
    world.ongoing.post("/_sim/faults", json={"retry_after_seconds": 120, "scripted": [
        {"fault": "429", "method": method, "path_contains": path_contains, "times": times}]}).raise_for_status()


def due_now(kind: str, key: str) -> None:
    with tasks.runtime.ledger().session() as session:
        entry = quarantine.find_entry(session, "demo", kind, key)
        assert entry is not None
        quarantine.retry_now(session, entry.id)


def resolution(kind: str, key: str) -> str | None:
    (entry,) = ledger_rows(QuarantineEntry, kind=kind, key=key)
    return entry.resolution


async def test_a_failed_product_push_is_retried_by_the_product_sync_when_a_person_asks(
        world: World, shop: Shop, warehouse: Warehouse) -> None:
    await sync_products("demo")
    async with shop.client() as client:
        await client.create_product(ProductCreate(languages=[ProductLanguageWrite(lang_code="sv", name="Lykta")],
                                                  variants=[VariantWrite(sku="LANTERN-2", weight_in_kg=0.4)]))
    refuse_next(world, "PUT", "/articles")
    failed = await sync_products("demo")
    assert failed["quarantined"] == 1 and warehouse.article("LANTERN-2") is None

    # Hours later: the product's last change is far behind the sync's cursor, so only the quarantine brings
    # it back. A person asks for the retry now.
    with tasks.runtime.ledger().session() as session:
        advance_time_cursor(session, "demo", "starweb-products", utcnow() + timedelta(hours=3))
    entry = quarantined("product")["LANTERN-2"]
    asked = CliRunner().invoke(app, ["quarantine", "retry", str(entry.id)])
    assert asked.exit_code == 0

    retried = await sync_products("demo")
    assert retried["created"] == 1
    assert warehouse.article("LANTERN-2")["articleName"] == "Lykta"
    assert "LANTERN-2" not in quarantined("product")
    assert "next run of sync-products" in asked.output, "the CLI says which flow takes it up"


async def test_quarantined_orders_close_when_deleted_or_cancelled_in_starweb(world: World, shop: Shop) -> None:
    deleted = await shop.place_order([("THERMOS-1L", 1)], shipping_method_id=4)  # unmapped shipping method
    cancelled = await shop.place_order([("THERMOS-1L", 1)], shipping_method_id=4)
    assert (await export_orders("demo"))["quarantined"] == 2

    shop.delete_order(deleted)
    await shop.set_status(cancelled, CANCELED)
    due_now("order", str(deleted))
    due_now("order", str(cancelled))
    settled = await export_orders("demo")
    assert settled["closed"] == 2
    assert quarantined("order") == {}
    assert resolution("order", str(deleted)) == "deleted in Starweb"
    assert resolution("order", str(cancelled)) == f"no longer exportable (Starweb status {CANCELED})"


async def test_a_failed_release_is_retried_when_due_and_closed_once_the_order_ships(
        world: World, shop: Shop, warehouse: Warehouse) -> None:
    retried, shipped = await shop.place_order([("THERMOS-1L", 1)]), await shop.place_order([("SOCK-MER-42", 1)])
    await export_orders("demo")
    refuse_next(world, "PATCH", "/orderStatus", times=2)
    first = await release_orders("demo")
    assert first["quarantined"] == 2
    assert set(quarantined("release")) == {str(retried), str(shipped)}

    # The warehouse picks and ships one of them on its own; the shipment is reported.
    warehouse.move(f"FJ-{shipped}", 300)
    world.ongoing.post(f"/_sim/orders/FJ-{shipped}/ship", json={"lines": [
        {"rowNumber": warehouse.order(f"FJ-{shipped}")["orderLines"][0]["rowNumber"], "numberOfItems": 1}],
        "waybill": "00370712345678901234"},  # with its waybill, whatever the simulator's default
    ).raise_for_status()
    assert (await report_shipments("demo"))["reported"] == 1

    due_now("release", str(retried))  # the other one's next try is due
    second = await release_orders("demo")
    assert second["released"] == 1 and second["closed"] == 1
    assert warehouse.status(f"FJ-{retried}") == 300 and (await shop.order(retried)).status_id == 2
    assert quarantined("release") == {}
    assert resolution("release", str(shipped)) == "the order is sent; no release needed any more"


async def test_a_lost_answer_on_a_cancel_is_the_cancel_it_was(world: World, shop: Shop, warehouse: Warehouse) -> None:
    order_id = await shop.place_order([("THERMOS-1L", 1)])
    await export_orders("demo")
    await shop.set_status(order_id, CANCELED)
    world.ongoing.post("/_sim/faults", json={"scripted": [
        {"fault": "lost_answer", "method": "DELETE", "path_contains": "/orders"}]}).raise_for_status()

    changes = await sync_order_changes("demo")
    assert changes["cancelled"] == 1 and "quarantined" not in changes
    assert warehouse.status(f"FJ-{order_id}") == 1000
    assert binding(order_id).state == "cancelled"
    assert quarantined("order-change") == {}
    assert [(w.operation, w.outcome) for w in writes() if w.operation.startswith("DELETE")] == [
        ("DELETE /orders/{orderId}", "written")]
