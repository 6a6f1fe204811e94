"""End to end: ``swo reconcile demo`` says a clean day in one line, then lists one planted difference of
each kind, with the same rows in the table artifact, the CSV file and the event's counts."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import httpx
import pytest
from prefect.artifacts import Artifact
from typer.testing import CliRunner

from flows.order_export import export_orders
from flows.product_sync import sync_products
from flows.stock_sync import sync_stock
from integrations.starweb.models import VariantPatch
from swo.cli import app
from tests.flows.actors import Shop, Warehouse, quarantined
from tests.flows.conftest import World
from tests.flows.events import stored_events

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

UNMAPPED_SHIPPING = 4  # "Hämta i butik": the demo file leaves it unmapped on purpose


@pytest.fixture
def state_dir(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from settings import get_settings

    monkeypatch.setenv("SWO_STATE_DIR", str(tmp_path / "state"))
    get_settings.cache_clear()
    return tmp_path / "state"


def put_foreign_order(world: World, order_number: str) -> None:
    """An order someone typed into Ongoing by hand with the connector's numbering."""
    with httpx.Client(base_url=world.sims.ongoing_api, auth=("demo-api", "demo-password"), timeout=10) as api:
        api.put("/orders", json={
            "goodsOwnerId": 1, "orderNumber": order_number, "deliveryDate": "2026-12-01",
            "consignee": {"name": "Kund", "address1": "Gatan 1", "postCode": "11122", "city": "Stockholm",
                          "countryCode": "SE"},
            "orderLines": [{"rowNumber": "1", "articleNumber": "SOCK-MER-42", "numberOfItems": 1}],
        }).raise_for_status()


async def set_starweb_stock(shop: Shop, sku: str, quantity: int) -> None:
    async with shop.client() as client:
        async for product in client.iter_products(filter_sku=sku):
            async for variant in client.iter_variants(product.product_id):
                if variant.sku == sku:
                    await client.patch_variant(product.product_id, variant.variant_id,
                                               VariantPatch(stock_quantity=quantity))


def run_cli(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["reconcile", "demo", "--settle-minutes", "0", *args])
    return result.exit_code, result.stdout.splitlines()


def test_a_clean_day_is_one_line_and_each_planted_difference_is_listed(world: World, state_dir: Path) -> None:
    shop, warehouse = Shop(world.sims.starweb_api), Warehouse(world.ongoing, world.sims.ongoing_api)
    picked = asyncio.run(shop.place_order([("THERMOS-1L", 1)]))
    shipped = asyncio.run(shop.place_order([("POLE-CF-120", 2)]))
    asyncio.run(sync_products("demo"))
    asyncio.run(export_orders("demo"))
    asyncio.run(sync_stock("demo"))

    code, lines = run_cli()

    assert code == 0, lines
    assert len(lines) == 1 and lines[0].startswith("demo is in sync: no differences in 2 order(s) created "), lines
    assert "and 8 SKU(s)." in lines[0]

    # A day with one of everything: an order the warehouse never got (its shipping method is unmapped), an
    # order typed into Ongoing by hand, picking started but not yet told to Starweb, a shipment not yet
    # reported, and a stock figure someone changed in Starweb.
    stranded = asyncio.run(shop.place_order([("HEADLAMP-400", 1)], shipping_method_id=UNMAPPED_SHIPPING))
    put_foreign_order(world, "FJ-99999")
    asyncio.run(export_orders("demo"))
    asyncio.run(sync_stock("demo", full=True))
    assert str(stranded) in quarantined("order")
    warehouse.move(f"FJ-{picked}", 300)
    warehouse.pick(f"FJ-{shipped}")
    world.ongoing.post(f"/_sim/orders/FJ-{shipped}/ship", json={"waybill": "WB1"}).raise_for_status()
    asyncio.run(set_starweb_stock(shop, "TENT-FJ2", 99))

    code, lines = run_cli()

    assert code == 1
    assert lines[0].startswith("demo: 5 difference(s) in 3 order(s) created "), lines
    assert lines[1] == "Quarantine: 1 open record(s), 0 a day ago (growing)."
    listed = lines[2:-1]
    assert len(listed) == 5, lines
    assert listed[0].startswith(f"- in Starweb, not in Ongoing: order {stranded}. Starweb: status 1 (open). ")
    assert f"Ongoing: no order FJ-{stranded}. quarantined since " in listed[0]
    assert "shipping method" in listed[0]
    assert listed[1].startswith("- in Ongoing, not in Starweb: order FJ-99999. Starweb: no order 99999. "
                                "Ongoing: status 200 (open).")
    assert listed[2].startswith(f"- status against the map: order {picked}. Starweb: status 1 (open). ")
    assert "Ongoing: status 300 (picking)." in listed[2]
    assert listed[3].startswith(f"- shipment not reported: order {shipped}. ")
    assert "Ongoing: status 450 (sent)." in listed[3]
    assert listed[4].startswith("- stock beyond the buffer: SKU TENT-FJ2. Starweb: 99. Ongoing: 6 sellable. "
                                "should be 6 ")
    csv_path = Path(lines[-1].removeprefix("Written to "))
    assert csv_path.parent == state_dir / "reconcile" / "demo"
    with csv_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["kind"], r["record"]) for r in rows] == [
        ("in Starweb, not in Ongoing", f"order {stranded}"), ("in Ongoing, not in Starweb", "order FJ-99999"),
        ("status against the map", f"order {picked}"), ("shipment not reported", f"order {shipped}"),
        ("stock beyond the buffer", "SKU TENT-FJ2")]
    artifact = asyncio.run(Artifact.aget("reconcile-demo"))
    assert artifact is not None
    assert [r["record"] for r in json.loads(str(artifact.data))] == [r["record"] for r in rows]

    ours = str(state_dir)
    (clean,) = asyncio.run(stored_events("swo.reconcile.clean", lambda e: e["payload"]["csv"].startswith(ours)))
    (found,) = asyncio.run(stored_events("swo.reconcile.differences", lambda e: e["payload"]["csv"] == str(csv_path)))
    assert clean["payload"]["total"] == 0
    assert found["resource"]["prefect.resource.id"] == "swo.merchant.demo.reconcile"
    assert found["payload"]["counts"] == {"missing_in_ongoing": 1, "missing_in_starweb": 1, "status": 1, "shipment": 1,
                                          "stock": 1, "total": 5}
    growing = asyncio.run(stored_events("swo.quarantine.growing",
                                        lambda e: e["occurred"] >= found["occurred"] and e["payload"]["by_kind"]))
    assert growing and growing[-1]["payload"]["open"] == 1 and growing[-1]["payload"]["open_a_day_ago"] == 0
