"""End to end: a purchase-order list reaches the warehouse (a bad row stops only its own purchase order),
receipts come back with their deviations (artifact, one event per deviating purchase order, Starweb's stock
up by exactly what arrived), a change after receiving started is refused once, the initial inbound is sent
once, and every flow run a second time writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from prefect.artifacts import Artifact
from prefect.events.worker import EventsWorker
from prefect.testing.fixtures import asserting_events_worker  # noqa: F401  (a pytest fixture)
from typer.testing import CliRunner

import tasks.runtime
from flows.initial_inbound import initial_inbound
from flows.purchase_orders import push_purchase_orders
from flows.receipts import track_receipts
from integrations.ongoing.simulator import OngoingSimSettings, create_app
from integrations.simulation.server import serve_in_thread
from integrations.starweb.models import ProductCreate, ProductLanguageWrite, VariantWrite
from ledger import purchase_orders as po_ledger
from ledger.models import ArticleBinding
from swo.cli import app
from tests.flows.actors import Shop, ledger_rows, quarantined, writes
from tests.flows.conftest import World

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

HEADER = "Inköpsordernummer;Leverantör;Leveransdatum;Artikelnummer;Antal;Inköpspris;Kommentar"



def ongoing_api(world: World) -> httpx.Client:
    return httpx.Client(base_url=world.sims.ongoing_api, auth=("demo-api", "demo-password"), timeout=10)


def purchase_orders_in_ongoing(world: World) -> dict[str, dict[str, Any]]:
    with ongoing_api(world) as api:
        found = api.get("/purchaseOrders", params={"goodsOwnerId": 1}).json()
    return {p["purchaseOrderInfo"]["purchaseOrderNumber"]: p for p in found}


def lines(purchase_order: dict[str, Any], figure: str = "advisedNumberOfItems") -> dict[str, float]:
    return {line["article"]["articleNumber"]: line[figure] for line in purchase_order["purchaseOrderLines"]}


def write_list(path: Path, rows: list[str]) -> str:
    """The list as Excel on a Swedish Windows saves it: semicolons, decimal commas, Windows-1252."""
    path.write_bytes("\r\n".join([HEADER, *rows]).encode("cp1252"))
    return str(path)


async def starweb_stock(shop: Shop, skus: list[str]) -> dict[str, int | None]:
    async with shop.client() as client:
        found = {v.sku: v.stock_quantity async for p in client.iter_products()
                 async for v in client.iter_variants(p.product_id) if v.sku}
    return {sku: found.get(sku) for sku in skus}


def receive(world: World, number: str, lines_by_article: dict[str, int]) -> None:
    world.ongoing.post(f"/_sim/purchaseOrders/{number}/receive", json={"lines": [
        {"articleNumber": sku, "numberOfItems": n} for sku, n in lines_by_article.items()]}).raise_for_status()


def deviation_events(worker: EventsWorker) -> list[Any]:
    worker.drain()
    return [e for e in worker._client.events if e.event == "swo.purchase-order.deviation"]  # type: ignore[attr-defined]


async def test_purchase_orders_reach_the_warehouse_and_receipts_come_back_with_their_deviations(
        world: World, shop: Shop, tmp_path: Path, asserting_events_worker: EventsWorker) -> None:  # noqa: F811
    async with shop.client() as client:  # a new product the warehouse has never heard of
        await client.create_product(ProductCreate(languages=[ProductLanguageWrite(lang_code="sv", name="Damask")],
                                                  variants=[VariantWrite(sku="GAITER-1", stock_quantity=0)]))
    today = date.today()
    soon, later = (today + timedelta(days=10)).isoformat(), (today + timedelta(days=20)).isoformat()
    rows = [
        f"PO-A;Kolfiber AB;{soon};POLE-CF-120;10;210,00;Vårleverans",
        f"PO-A;Kolfiber AB;{soon};GAITER-1;5;;",
        f"PO-B;Ullfabriken i Borås;{later};SOCK-MER-42;10;48,90;",
        f"PO-B;Ullfabriken i Borås;{later};THERMOS-1L;4;;",
        f"PO-C;Tältmakarna;{later};TENT-FJ2;2;;",
        f"PO-C;Tältmakarna;{later};HEADLAMP-400;2,5;;",
    ]
    po_list = write_list(tmp_path / "inköp.csv", rows)

    preview = await push_purchase_orders("demo", file=po_list, dry_run=True)
    assert (preview["would create"], preview["would send"], preview["would quarantine"]) == (2, 1, 1)
    assert writes() == [] and purchase_orders_in_ongoing(world) == {}

    sent = await push_purchase_orders("demo", file=po_list)
    assert (sent["created"], sent["quarantined"]) == (3, 1), "two purchase orders and the new article"
    assert sent["errors"] == ["inköp.csv, row 7, column 'Antal': 2,5 is not a whole number of units"]
    in_ongoing = purchase_orders_in_ongoing(world)
    assert set(in_ongoing) == {"PO-A", "PO-B"}
    assert lines(in_ongoing["PO-A"]) == {"POLE-CF-120": 10, "GAITER-1": 5}
    assert lines(in_ongoing["PO-B"]) == {"SOCK-MER-42": 10, "THERMOS-1L": 4}
    assert [in_ongoing[n]["purchaseOrderInfo"]["inDate"][:10] for n in ("PO-A", "PO-B")] == [soon, later]
    assert in_ongoing["PO-B"]["supplierInfo"]["supplierName"] == "Ullfabriken i Borås"
    assert "row 7, column 'Antal'" in quarantined("purchase-order")["PO-C"].reason
    assert [b.sku for b in ledger_rows(ArticleBinding)] == ["GAITER-1"], "pushed by the product sync's code"

    before = len(writes())
    again = await push_purchase_orders("demo", file=po_list)
    assert len(writes()) == before and again["unchanged"] == 2, "a second run writes nothing"

    rows[3] = f"PO-B;Ullfabriken i Borås;{later};THERMOS-1L;6;;"  # the merchant orders more before it arrives
    changed = await push_purchase_orders("demo", file=write_list(tmp_path / "inköp.csv", rows))
    assert (changed["updated"], changed["unchanged"]) == (1, 1)
    assert lines(purchase_orders_in_ongoing(world)["PO-B"]) == {"SOCK-MER-42": 10, "THERMOS-1L": 6}

    skus = ["POLE-CF-120", "GAITER-1", "SOCK-MER-42", "THERMOS-1L", "HEADLAMP-400"]
    stock_before = await starweb_stock(shop, skus)
    with ongoing_api(world) as api:  # a B2B return arrives as a return-type purchase order: not ours to report
        api.put("/purchaseOrders", json={"goodsOwnerId": 1, "purchaseOrderNumber": "RET-1",
                                         "advanced": {"purchaseOrderIsReturnType": True}, "purchaseOrderLines": [
                                             {"rowNumber": "1", "articleNumber": "TENT-FJ2", "numberOfItems": 1}]}
                ).raise_for_status()
    receive(world, "RET-1", {"TENT-FJ2": 2})
    receive(world, "PO-A", {"POLE-CF-120": 7, "GAITER-1": 5})
    receive(world, "PO-B", {"SOCK-MER-42": 12, "THERMOS-1L": 6, "HEADLAMP-400": 3})  # a lamp nobody advised

    tracked = await track_receipts("demo")
    assert tracked["reported"] == 2
    deviations = await Artifact.aget("purchase-order-deviations-demo")
    assert deviations is not None
    assert sorted((r["purchase order"], r["sku"], r["advised"], r["received"], r["deviation"])
                  for r in json.loads(str(deviations.data))) == [
        ("PO-A", "POLE-CF-120", "10", "7", "under delivery"),
        ("PO-B", "HEADLAMP-400", "0", "3", "not advised"),
        ("PO-B", "SOCK-MER-42", "10", "12", "over delivery")]
    summary = await Artifact.aget("track-receipts-demo-summary")
    assert summary is not None and "PO-A: SKU POLE-CF-120: 7 of 10 received (under delivery, -3)" in summary.data
    assert "PO-B: SKU HEADLAMP-400: 3 received, never advised" in summary.data
    received = {"POLE-CF-120": 7, "GAITER-1": 5, "SOCK-MER-42": 12, "THERMOS-1L": 6, "HEADLAMP-400": 3}
    stock_after = await starweb_stock(shop, skus)
    assert {sku: stock_after[sku] - (stock_before[sku] or 0) for sku in skus} == received
    in_ongoing = purchase_orders_in_ongoing(world)
    for number in ("PO-A", "PO-B"):
        assert lines(in_ongoing[number], "reportedNumberOfItems") == lines(in_ongoing[number], "receivedNumberOfItems")
    assert lines(in_ongoing["RET-1"], "reportedNumberOfItems") == {"TENT-FJ2": None}, "left to the returns flow"

    before = len(writes())
    assert "reported" not in await track_receipts("demo")
    assert len(writes()) == before, "a second run writes nothing"

    rows[0] = f"PO-A;Kolfiber AB;{soon};POLE-CF-120;20;210,00;Vårleverans"  # too late: PO-A is being received
    po_list = write_list(tmp_path / "inköp.csv", rows)
    refused = await push_purchase_orders("demo", file=po_list)
    assert refused["quarantined"] == 2, "the late change, and PO-C still"
    entry = quarantined("purchase-order")["PO-A"]
    assert "the warehouse has started receiving purchase order PO-A" in entry.reason
    assert lines(purchase_orders_in_ongoing(world)["PO-A"])["POLE-CF-120"] == 10
    before = len(writes())
    once_more = await push_purchase_orders("demo", file=po_list)
    assert len(writes()) == before and once_more["skipped"] == 1, "a refused version is not tried again"
    assert quarantined("purchase-order")["PO-A"].attempts == 1

    events = deviation_events(asserting_events_worker)
    assert sorted(e.resource.id for e in events) == ["swo.purchase-order.demo.PO-A", "swo.purchase-order.demo.PO-B"]
    assert {e.resource["swo.purchase-order-number"]: len(e.payload["deviations"]) for e in events} == {
        "PO-A": 1, "PO-B": 2}


async def test_a_purchase_order_whose_read_back_failed_counts_as_sent_and_is_checked_when_sent_again(
        world: World) -> None:
    soon = (date.today() + timedelta(days=5)).isoformat()
    rows = [{"purchase_order_number": number, "supplier": "Tältmakarna", "expected_date": soon, "sku": "TENT-FJ2",
             "quantity": 4} for number in ("PO-R1", "PO-R2")]
    world.ongoing.post("/_sim/faults", json={"scripted": [  # the writes land; both reads of them fail
        {"fault": "500", "method": "GET", "path_contains": "/purchaseOrders/", "times": 2}]}).raise_for_status()
    sent = await push_purchase_orders("demo", rows=rows)
    assert sent["quarantined"] == 2 and "created" not in sent, "one row each: written, not yet checked"
    assert {n: lines(p) for n, p in purchase_orders_in_ongoing(world).items()} == {
        "PO-R1": {"TENT-FJ2": 4}, "PO-R2": {"TENT-FJ2": 4}}
    held = quarantined("purchase-order")
    assert "Ongoing answered the create" in held["PO-R1"].reason and "reading it back failed" in held["PO-R1"].reason

    before = len(writes())
    again = await push_purchase_orders("demo", rows=rows[:1])  # the operator sends PO-R1 again
    assert again["unchanged"] == 1 and len(writes()) == before, "compared with Ongoing, not written twice"
    assert set(quarantined("purchase-order")) == {"PO-R2"}

    receive(world, "PO-R1", {"TENT-FJ2": 4})
    receive(world, "PO-R2", {"TENT-FJ2": 3})
    tracked = await track_receipts("demo")
    assert tracked["reported"] == 2, "both count as sent: their receipts are reported"
    in_ongoing = purchase_orders_in_ongoing(world)
    assert {n: lines(in_ongoing[n], "reportedNumberOfItems") for n in ("PO-R1", "PO-R2")} == {
        "PO-R1": {"TENT-FJ2": 4}, "PO-R2": {"TENT-FJ2": 3}}, "acknowledged in Ongoing"
    with tasks.runtime.ledger().session() as session:
        po_r2 = po_ledger.purchase_orders_by_number(session, "demo", ["PO-R2"])["PO-R2"]
        assert po_ledger.read_back(po_r2), "its line is bound to Ongoing's by its receipt"


@pytest.fixture
def other_warehouse(world: World) -> Iterator[httpx.Client]:
    """The demo merchant pointed at an Ongoing that behaves the other plausible way where Ongoing's own
    behaviour is not documented: an update keeps the rows it leaves out, an unadvised receipt shows a null
    advice, and an over-delivered purchase order is 500 Received. Yields that Ongoing's admin client."""
    settings = OngoingSimSettings(omitted_purchase_order_lines="kept", unadvised_receipt_advice="null",
                                  over_delivery_status=500)
    server = serve_in_thread(create_app(settings=settings))
    merchant_file = world.merchants_dir / "demo.yaml"
    merchant_file.write_text(merchant_file.read_text().replace(world.sims.ongoing_api,
                                                               settings.api_root(server.root_url)))
    try:
        with httpx.Client(base_url=server.root_url, timeout=30) as admin:
            admin.post("/_sim/seed", json={"articles": True}).raise_for_status()
            yield admin
    finally:
        server.stop()


async def test_the_other_plausible_ongoing_behaviours_give_the_same_result(other_warehouse: httpx.Client) -> None:
    soon = (date.today() + timedelta(days=3)).isoformat()
    row = {"purchase_order_number": "PO-X", "supplier": "Tältmakarna", "expected_date": soon}
    first = await push_purchase_orders("demo", rows=[{**row, "sku": "TENT-FJ2", "quantity": 2},
                                                     {**row, "sku": "THERMOS-1L", "quantity": 5}])
    fewer = await push_purchase_orders("demo", rows=[{**row, "sku": "TENT-FJ2", "quantity": 2}])
    assert (first["created"], fewer["updated"]) == (1, 1), "read back: the dropped row was zeroed, not kept"
    other_warehouse.post("/_sim/purchaseOrders/PO-X/receive", json={"lines": [
        {"articleNumber": "TENT-FJ2", "numberOfItems": 3}, {"articleNumber": "THERMOS-1L", "numberOfItems": 1},
        {"articleNumber": "HEADLAMP-400", "numberOfItems": 1}]}).raise_for_status()

    tracked = await track_receipts("demo")

    assert tracked["reported"] == 1
    deviations = await Artifact.aget("purchase-order-deviations-demo")
    assert deviations is not None
    assert sorted((r["sku"], r["deviation"]) for r in json.loads(str(deviations.data))) == [
        ("HEADLAMP-400", "not advised"), ("TENT-FJ2", "over delivery"), ("THERMOS-1L", "not advised")]
    with tasks.runtime.ledger().session() as session:
        binding = po_ledger.purchase_orders_by_number(session, "demo", ["PO-X"])["PO-X"]
        assert sorted(float(line.received_reported) for line in binding.lines) == [1.0, 1.0, 3.0]


async def test_the_initial_inbound_moves_the_shops_stock_into_the_warehouse_once(world: World, shop: Shop) -> None:
    world.sims.reset()
    world.sims.seed_demo(warehouse_articles=False)  # a new warehouse: no articles, no stock
    catalogue_stock = await starweb_stock(shop, ["POLE-CF-120", "POLE-CF-135", "SOCK-MER-38", "SOCK-MER-42",
                                                 "SOCK-MER-46", "THERMOS-1L", "HEADLAMP-400", "TENT-FJ2"])
    with_stock = {sku: n for sku, n in catalogue_stock.items() if n}

    preview = await initial_inbound("demo", dry_run=True)
    assert (preview["articles"], preview["lines"], preview["units"]) == (8, 7, sum(with_stock.values()))
    assert writes() == [] and purchase_orders_in_ongoing(world) == {}

    done = await initial_inbound("demo")
    number = done["purchase_order"]
    assert number == f"INIT-{datetime.now(ZoneInfo('Europe/Stockholm')):%Y%m%d}"
    (only,) = purchase_orders_in_ongoing(world).values()
    assert only["purchaseOrderInfo"]["purchaseOrderNumber"] == number
    assert lines(only) == with_stock
    assert only["supplierInfo"]["supplierName"] == "Fjällbutiken eget lager"

    before = len(writes())
    again = await initial_inbound("demo")
    assert len(writes()) == before and again["purchase_order"] == number, "running it twice creates it once"
    assert len(purchase_orders_in_ongoing(world)) == 1

    short = {sku: n for sku, n in with_stock.items() if sku != "TENT-FJ2"} | {"TENT-FJ2": with_stock["TENT-FJ2"] - 1}
    receive(world, number, short)
    await track_receipts("demo")
    assert await starweb_stock(shop, list(short)) == short, "Starweb's stock follows what the warehouse received"

    before = len(writes())
    receive(world, number, {"TENT-FJ2": 1})  # the last tent turns up later
    later = await track_receipts("demo")
    assert (later["reported"], later["acknowledged"]) == (1, 1)
    assert await starweb_stock(shop, ["TENT-FJ2"]) == {"TENT-FJ2": with_stock["TENT-FJ2"]}
    assert [w.operation for w in writes()[before:]] == [
        "PATCH /purchaseOrders/{id}/lines/{lineId}/reportedNumberOfItems",
        "PATCH /products/{productId}/variants/{variantId}"], "only the tent line is acknowledged, one call"


def test_the_command_line_previews_a_list_and_names_its_bad_rows(world: World, tmp_path: Path) -> None:
    soon = (date.today() + timedelta(days=5)).isoformat()
    po_list = write_list(tmp_path / "inköp.csv", [f"PO-1;Kolfiber AB;{soon};POLE-CF-120;10;;",
                                                  f"PO-2;Kolfiber AB;{soon};NO-SUCH-SKU;1;;"])
    runner = CliRunner()

    preview = runner.invoke(app, ["inbound", "demo", po_list, "--dry-run"])

    assert preview.exit_code == 2, preview.output
    assert "would create: 1" in preview.stdout
    assert ("not sent: inköp.csv, row 3, column 'Artikelnummer': unknown SKU 'NO-SUCH-SKU': it is neither a Starweb "
            "variant nor an Ongoing article") in preview.stderr
    assert writes() == []

    missing = runner.invoke(app, ["inbound", "demo", str(tmp_path / "nothing.csv")])
    assert missing.exit_code == 1 and "cannot read the purchase-order file" in missing.stderr
    both = runner.invoke(app, ["inbound", "demo", po_list, "--initial"])
    assert both.exit_code == 2 and "give a purchase-order FILE, or --initial" in both.output
