"""End to end: returns the warehouse registers reach Starweb once each — a regret return through a
return inbound, a parcel returned to sender, a complaint and a return on the sales order — with the right
comment and status, no customer email, the worklist's refunds at the order's own prices, stock for the
restocked goods only and the returned units acknowledged in Ongoing; an unmatched return inbound is on the
worklist and nowhere else; a rerun changes nothing. Announced return orders are registered when the goods
arrive, whether or not the warehouse also counts them on the sales order."""

from __future__ import annotations

import asyncio
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from prefect.artifacts import Artifact
from typer.testing import CliRunner

import ledger.returns
import tasks.runtime
from flows.order_export import export_orders
from flows.return_announcement import announce_return
from flows.return_registration import register_returns
from flows.shipment_report import report_shipments
from ledger import quarantine
from ledger.models import ReturnRecord
from swo.cli import app
from tests.flows.actors import Shop, Warehouse, ledger_rows, quarantined, writes
from tests.flows.conftest import World

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SENT, RETURNED, NOT_COLLECTED, PARTLY_RETURNED = 3, 7, 10, 11  # the demo shop's statuses and the merchant's map




def sim(world: World, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = world.ongoing.post(f"/_sim{path}", json=body)
    answer.raise_for_status()
    return answer.json()


def ship(world: World, order_id: int) -> None:
    sim(world, f"/orders/FJ-{order_id}/pick")
    sim(world, f"/orders/FJ-{order_id}/ship", {"waybill": f"003700000000{order_id}"})


def row_of(warehouse: Warehouse, order_number: str, sku: str) -> str:
    order = warehouse.order(order_number)
    assert order is not None
    return next(line["rowNumber"] for line in order["orderLines"] if line["article"]["articleNumber"] == sku)


def customer_comment(world: World, order_id: int, text: str) -> None:
    with httpx.Client(base_url=world.sims.starweb_api, timeout=10) as api:
        token = api.post("/token", data={"grant_type": "client_credentials", "client_id": "demo-client",
                                         "client_secret": "demo-secret"}).json()["access_token"]
        api.post(f"/orders/{order_id}/comments", json={"text": text, "from": "customer"},
                 headers={"Authorization": f"Bearer {token}"}).raise_for_status()


async def refund_at_order_prices(shop: Shop, order_id: int, returned: dict[str, int]) -> str:
    order = await shop.order(order_id)
    total = Decimal(0)
    for item in order.items or []:
        if item.sku in returned:
            unit = Decimal(str(item.unit_price)) * (1 + Decimal(str(item.vat_rate)) / 100)
            total += (unit * returned[item.sku]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{total:.2f}".replace(".", ",") + " SEK"


async def starweb_stock(shop: Shop, sku: str) -> int | None:
    async with shop.client() as client:
        async for product in client.iter_products(filter_sku=sku):
            async for variant in client.iter_variants(product.product_id):
                if variant.sku == sku:
                    return variant.stock_quantity
    return None


def sellable(warehouse: Warehouse, sku: str) -> int:
    article = warehouse.article(sku)
    assert article is not None
    return int(article["inventoryInfo"]["sellableNumberOfItems"])


def returned_lines(warehouse: Warehouse, order_number: str) -> dict[str, tuple[float, float | None]]:
    order = warehouse.order(order_number)
    assert order is not None
    return {line["article"]["articleNumber"]: (line["returnedNumberOfItems"], line["reportedReturnedNumberOfItems"])
            for line in order["orderLines"]}


def return_comments(texts: list[str]) -> list[str]:
    return [t for t in texts if t.startswith("Retur #")]


async def test_four_kinds_of_return_reach_starweb_once_with_the_right_refunds(
        world: World, shop: Shop, warehouse: Warehouse) -> None:
    regret = await shop.place_order([("POLE-CF-120", 1), ("SOCK-MER-42", 1)])
    uncollected = await shop.place_order([("THERMOS-1L", 1)])
    complaint = await shop.place_order([("HEADLAMP-400", 2)])
    on_order = await shop.place_order([("SOCK-MER-38", 2)])
    orders = (regret, uncollected, complaint, on_order)
    await export_orders("demo")
    for order_id in orders:
        ship(world, order_id)
    await report_shipments("demo")
    assert [(await shop.order(o)).status_id for o in orders] == [SENT] * 4
    emails_before = len(world.starweb.get("/_sim/emails").json()["data"])
    stock_before = {sku: await starweb_stock(shop, sku) for sku in ("HEADLAMP-400", "SOCK-MER-42", "TENT-FJ2")}

    # The warehouse: one pole back as a return inbound naming the order; a return inbound naming nothing;
    # the thermos's parcel back from the carrier; one faulty headlamp (discarded); both socks of the last order.
    sim(world, "/purchaseOrders/returns", {"purchaseOrderNumber": "RET-1", "referenceNumber": f"FJ-{regret}",
                                           "lines": [{"articleNumber": "POLE-CF-120", "numberOfItems": 1}]})
    sim(world, "/purchaseOrders/returns", {"purchaseOrderNumber": "RET-2", "purchaseOrderRemark": "ingen följesedel",
                                           "lines": [{"articleNumber": "TENT-FJ2", "numberOfItems": 1}]})
    sim(world, f"/orders/FJ-{uncollected}/returnToSender")
    customer_comment(world, complaint, "Lampan slocknar efter fem minuter.")
    sim(world, f"/orders/FJ-{complaint}/return", {"cause": "COMPLAINT", "lines": [
        {"rowNumber": row_of(warehouse, f"FJ-{complaint}", "HEADLAMP-400"), "numberOfItems": 1}]})
    sim(world, f"/orders/FJ-{on_order}/return", {"cause": "WRONGSIZE"})

    before = len(writes())
    preview = await register_returns("demo", dry_run=True)
    assert (preview["would register"], preview["would hold"]) == (4, 1)
    assert len(writes()) == before and ledger_rows(ReturnRecord) == []

    done = await register_returns("demo")
    assert done["registered"] == 4 and done["on worklist"] == 1
    assert [(await shop.order(o)).status_id for o in orders] == [PARTLY_RETURNED, NOT_COLLECTED, PARTLY_RETURNED,
                                                                RETURNED]
    comments = {o: return_comments(await shop.comments(o)) for o in orders}
    assert all(len(found) == 1 for found in comments.values()), comments
    assert "POLE-CF-120 × 1" in comments[regret][0] and "returinleverans RET-1" in comments[regret][0]
    assert "ej uthämtad" in comments[uncollected][0] and "THERMOS-1L × 1" in comments[uncollected][0]
    assert "reklamation" in comments[complaint][0] and "HEADLAMP-400 × 1 (COMPLAINT), 1 kasserad" in \
        comments[complaint][0]
    assert "SOCK-MER-38 × 2 (WRONGSIZE)" in comments[on_order][0]
    assert len(world.starweb.get("/_sim/emails").json()["data"]) == emails_before, "no customer email"

    worklist = await Artifact.aget("returns-worklist-demo")
    assert worklist is not None
    rows = {row["order"]: row for row in json.loads(str(worklist.data))}
    assert {order: (row["kind"], row["state"], row["refund"]) for order, row in rows.items()} == {
        str(regret): ("regret", "awaiting refund", await refund_at_order_prices(shop, regret, {"POLE-CF-120": 1})),
        str(uncollected): ("not collected", "contact customer",
                           await refund_at_order_prices(shop, uncollected, {"THERMOS-1L": 1})),
        str(complaint): ("complaint", "contact customer",
                         await refund_at_order_prices(shop, complaint, {"HEADLAMP-400": 1})),
        str(on_order): ("regret", "awaiting refund", await refund_at_order_prices(shop, on_order, {"SOCK-MER-38": 2})),
        "?": ("regret", "unmatched", "okänt"),
    }
    assert "Lampan slocknar efter fem minuter." in rows[str(complaint)]["notes"]
    assert rows[str(complaint)]["cause"] == "COMPLAINT"
    assert "no order number" in rows["?"]["notes"] and rows["?"]["from"] == "return inbound RET-2"

    # Stock: Starweb follows the warehouse for what went back on the shelf, and only for that.
    for sku in ("POLE-CF-120", "THERMOS-1L", "SOCK-MER-38"):
        assert await starweb_stock(shop, sku) == sellable(warehouse, sku)
    assert {sku: await starweb_stock(shop, sku) for sku in stock_before} == stock_before
    stock_writes = {w.key for w in writes()[before:] if w.operation.startswith("PATCH /products")}
    assert stock_writes <= {"POLE-CF-120", "THERMOS-1L", "SOCK-MER-38"} and "POLE-CF-120" in stock_writes

    # Ongoing: the returned units are acknowledged; the unmatched inbound is not.
    assert returned_lines(warehouse, f"FJ-{uncollected}") == {"THERMOS-1L": (1, 1)}
    assert returned_lines(warehouse, f"FJ-{complaint}") == {"HEADLAMP-400": (1, 1)}
    assert returned_lines(warehouse, f"FJ-{on_order}") == {"SOCK-MER-38": (2, 2)}
    with httpx.Client(base_url=world.sims.ongoing_api, auth=("demo-api", "demo-password"), timeout=10) as api:
        inbound = {p["purchaseOrderInfo"]["purchaseOrderNumber"]: p["purchaseOrderLines"][0]["reportedNumberOfItems"]
                   for p in api.get("/purchaseOrders", params={"goodsOwnerId": 1}).json()}
    assert inbound == {"RET-1": 1, "RET-2": None}
    assert not [w for w in writes() if "RET-2" in w.key or "TENT-FJ2" == w.key], "unmatched: nowhere else"
    assert quarantined() == {}

    # A second run finds nothing new and writes nothing.
    before = len(writes())
    again = await register_returns("demo")
    assert "registered" not in again and "on worklist" not in again and len(writes()) == before

    # The merchant works through the worklist.
    runner = CliRunner()
    listed = runner.invoke(app, ["returns", "list", "demo"])
    assert listed.exit_code == 0 and [line[:1] for line in listed.output.splitlines()].count("#") == 5
    regret_row = next(r for r in ledger_rows(ReturnRecord) if r.starweb_order_id == regret)
    refunded = runner.invoke(app, ["returns", "refunded", "demo", f"#{regret_row.id}", "--note", "Klarna"])
    assert refunded.exit_code == 0, refunded.output
    assert f" order {regret} " not in runner.invoke(app, ["returns", "list", "demo"]).output
    assert runner.invoke(app, ["returns", "refunded", "demo", str(regret_row.id)]).exit_code == 1


@pytest.mark.parametrize("counted_on_order", [True, False], ids=["counted-on-order", "return-order-only"])
async def test_an_announced_return_is_registered_when_the_goods_arrive(
        world: World, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch,
        counted_on_order: bool) -> None:
    monkeypatch.setattr(world.sims.ongoing_settings, "return_order_arrivals_on_sales_order", counted_on_order)
    merchant_file = world.merchants_dir / "demo.yaml"
    merchant_file.write_text(merchant_file.read_text().replace(
        "return_orders_on_sales_order: true", f"return_orders_on_sales_order: {str(counted_on_order).lower()}"))
    order_id = await shop.place_order([("SOCK-MER-42", 3)])
    await export_orders("demo")
    ship(world, order_id)
    await report_shipments("demo")

    runner = CliRunner()  # the command runs its flow with asyncio.run, so not on this test's event loop
    preview = await asyncio.to_thread(runner.invoke, app, ["returns", "announce", "demo", str(order_id), "--line",
                                                           "SOCK-MER-42=2", "--cause", "REGRET", "--dry-run"])
    assert preview.exit_code == 0 and f"FJ-{order_id}-R1 would be announced" in preview.output
    announced = await asyncio.to_thread(runner.invoke, app, ["returns", "announce", "demo", str(order_id),
                                                             "--line", "SOCK-MER-42=2", "--cause", "REGRET"])
    assert announced.exit_code == 0, announced.output
    assert f"FJ-{order_id}-R1" in announced.output
    assert await announce_return("demo", order_id, {"SOCK-MER-42": 2}, cause="REGRET") == f"FJ-{order_id}-R1"
    refused = await asyncio.to_thread(runner.invoke, app, ["returns", "announce", "demo", str(order_id),
                                                           "--line", "SOCK-MER-42=2"])
    assert refused.exit_code == 1 and "1 shipped unit(s)" in refused.output
    with httpx.Client(base_url=world.sims.ongoing_api, auth=("demo-api", "demo-password"), timeout=10) as api:
        return_orders = api.get("/returnOrders", params={"goodsOwnerId": 1}).json()
    assert [r["returnOrderInfo"]["returnOrderNumber"] for r in return_orders] == [f"FJ-{order_id}-R1"]

    # Two socks arrive against the announcement; the third comes back without one, in the wrong size.
    sim(world, f"/returnOrders/FJ-{order_id}-R1/receive", {"comment": "Oanvända"})
    sim(world, f"/orders/FJ-{order_id}/return", {"cause": "WRONGSIZE", "lines": [
        {"rowNumber": row_of(warehouse, f"FJ-{order_id}", "SOCK-MER-42"), "numberOfItems": 1}]})
    done = await register_returns("demo")
    assert done["registered"] == 2
    texts = return_comments(await shop.comments(order_id))
    assert len(texts) == 2
    assert any(f"returorder FJ-{order_id}-R1" in t and "SOCK-MER-42 × 2 (REGRET)" in t for t in texts)
    assert any("registrerad på ordern" in t and "SOCK-MER-42 × 1 (WRONGSIZE)" in t for t in texts)
    assert (await shop.order(order_id)).status_id == RETURNED, "all three socks are back"
    on_order = 3 if counted_on_order else 1
    assert returned_lines(warehouse, f"FJ-{order_id}") == {"SOCK-MER-42": (on_order, on_order)}
    rows = ledger_rows(ReturnRecord)
    assert sorted(sum(line["units"] for line in r.lines) for r in rows) == [1, 2]
    assert any("Oanvända" in r.comments for r in rows)

    before = len(writes())
    assert "registered" not in await register_returns("demo")
    assert len(writes()) == before


async def test_return_order_arrivals_missing_from_the_order_hold_it_for_a_person(
        world: World, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(world.sims.ongoing_settings, "return_order_arrivals_on_sales_order", False)
    order_id = await shop.place_order([("SOCK-MER-42", 1)])
    await export_orders("demo")
    ship(world, order_id)
    await report_shipments("demo")
    await announce_return("demo", order_id, {"SOCK-MER-42": 1}, cause="REGRET")
    sim(world, f"/returnOrders/FJ-{order_id}-R1/receive")

    held = await register_returns("demo")
    assert held == {"quarantined": 1}
    entry = quarantined("return-check")[f"FJ-{order_id}"]
    assert "return_orders_on_sales_order: false" in entry.reason
    assert return_comments(await shop.comments(order_id)) == [] and ledger_rows(ReturnRecord) == []


async def test_a_run_that_dies_after_commenting_never_comments_twice(
        world: World, shop: Shop, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    order_id = await shop.place_order([("SOCK-MER-38", 1)])
    await export_orders("demo")
    ship(world, order_id)
    await report_shipments("demo")
    sim(world, f"/orders/FJ-{order_id}/return", {"cause": "REGRET"})

    # The process dies right after Starweb took the comment and the status, before the ledger knew.
    real_mark = ledger.returns.mark_starweb_done

    def power_cut(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(ledger.returns, "mark_starweb_done", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        await register_returns("demo")
    monkeypatch.setattr(ledger.returns, "mark_starweb_done", real_mark)
    assert len(return_comments(await shop.comments(order_id))) == 1
    assert returned_lines(warehouse, f"FJ-{order_id}") == {"SOCK-MER-38": (1, None)}, "not yet acknowledged"

    assert "registered" not in await register_returns("demo"), "held until its retry is due"
    (entry,) = quarantined("return").values()
    with tasks.runtime.ledger().session() as session:
        quarantine.retry_now(session, entry.id)  # swo quarantine retry
    resumed = await register_returns("demo")
    assert resumed["registered"] == 1
    assert len(return_comments(await shop.comments(order_id))) == 1, "the comment is not posted again"
    assert (await shop.order(order_id)).status_id == RETURNED
    assert len([w for w in writes() if w.operation == "PATCH /orders/{orderId}" and w.key == str(order_id)
                and w.detail and w.detail.get("returnId")]) == 1, "the status is not set twice"
    assert returned_lines(warehouse, f"FJ-{order_id}") == {"SOCK-MER-38": (1, 1)}
    assert quarantined("return") == {}
