"""End to end: shipments reach Starweb with exactly one customer email each — full, partial, a second
shipment, a crash after the status change, a duplicated trigger — and a first activation over 300 old
shipped orders mails nobody."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

import ledger.shipments
import tasks.runtime
from domain.config import load_merchant_by_id
from flows.order_export import export_orders
from flows.shipment_report import report_shipments
from flows.statistics import report_statistics
from integrations.starweb.models import OrderCreate, OrderItemWrite
from ledger.models import Shipment, ShipmentSighting
from ledger.types import utcnow
from tests.flows.actors import Shop, Warehouse, writes
from tests.flows.conftest import World

PARTIALLY_SENT, SENT = 5, 3




def old_order(created_at: datetime) -> OrderCreate:
    return OrderCreate(shipping_method_id=1, payment_method_id=1, currency_code="SEK", status_id=1, is_complete=True,
                       created_at=created_at, items=[OrderItemWrite(sku="SOCK-MER-42", quantity=1)],
                       on_order_status_change_send_email=False)


def shipment_emails(world: World, order_id: int) -> list[dict[str, Any]]:
    sent = world.starweb.get("/_sim/emails", params={"orderId": order_id}).json()["data"]
    return [e for e in sent if e["statusId"] in (PARTIALLY_SENT, SENT, 9)]


def ship(world: World, order_number: str, waybill: str, lines: list[dict[str, Any]] | None = None) -> None:
    body: dict[str, Any] = {"waybill": waybill}
    if lines:
        body["lines"] = lines
    world.ongoing.post(f"/_sim/orders/{order_number}/ship", json=body).raise_for_status()


def rows(warehouse: Warehouse, order_number: str, quantities: dict[str, int]) -> list[dict[str, Any]]:
    order = warehouse.order(order_number)
    assert order is not None
    return [{"rowNumber": line["rowNumber"], "numberOfItems": quantities[line["article"]["articleNumber"]]}
            for line in order["orderLines"] if line["article"]["articleNumber"] in quantities]


async def test_each_shipment_mails_the_customer_exactly_once(world: World, shop: Shop, warehouse: Warehouse,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    full = await shop.place_order([("POLE-CF-120", 1)])
    split = await shop.place_order([("SOCK-MER-42", 2), ("THERMOS-1L", 1)])
    crashing = await shop.place_order([("SOCK-MER-38", 1)])
    await export_orders("demo")
    ship(world, f"FJ-{full}", "00370000000000000001", rows(warehouse, f"FJ-{full}", {"POLE-CF-120": 1}))
    ship(world, f"FJ-{split}", "00370000000000000002", rows(warehouse, f"FJ-{split}", {"SOCK-MER-42": 2}))
    ship(world, f"FJ-{crashing}", "00370000000000000003", rows(warehouse, f"FJ-{crashing}", {"SOCK-MER-38": 1}))

    # The process dies right after Starweb took the status change for one order, before the ledger knew.
    real_mark = ledger.shipments.mark_status_changed
    crashed: list[int] = []

    def crash_once(session: Session, shipment_id: int, **kwargs: Any) -> None:
        if session.get(Shipment, shipment_id).order_number == f"FJ-{crashing}" and not crashed:
            crashed.append(shipment_id)
            raise RuntimeError("power cut")
        real_mark(session, shipment_id, **kwargs)

    monkeypatch.setattr(ledger.shipments, "mark_status_changed", crash_once)
    with pytest.raises(RuntimeError, match="power cut"):
        await report_shipments("demo")
    monkeypatch.setattr(ledger.shipments, "mark_status_changed", real_mark)
    assert len(shipment_emails(world, crashing)) == 1, "Starweb already mailed before the crash"

    rerun = await report_shipments("demo")
    assert rerun["reported"] == 1 and rerun["emails"] == 1  # the decision made before the crash stands
    assert len(shipment_emails(world, crashing)) == 1, "no second email after the crash"
    assert [len(shipment_emails(world, o)) for o in (full, split)] == [1, 1]
    assert (await shop.order(full)).status_id == SENT
    partly = await shop.order(split)
    assert (partly.status_id, partly.shipping_tracking_no) == (PARTIALLY_SENT, "00370000000000000002")
    assert partly.shipping_tracker_type == 2, "Schenker's tracking type from the merchant's map"
    assert {line["article"]["articleNumber"]: line["reportedNumberOfItems"] or 0
            for line in warehouse.order(f"FJ-{split}")["orderLines"]} == {"SOCK-MER-42": 2, "THERMOS-1L": 0}

    before = len(writes())
    assert "reported" not in await report_shipments("demo")
    assert len(writes()) == before, "a rerun writes nothing"

    # The rest of the split order ships later: a second shipment, a second (and last) email.
    ship(world, f"FJ-{split}", "00370000000000000004", rows(warehouse, f"FJ-{split}", {"THERMOS-1L": 1}))
    second, duplicate = await asyncio.gather(report_shipments("demo"), report_shipments("demo"))
    assert second.get("reported", 0) + duplicate.get("reported", 0) == 1, "a duplicated trigger reports once"
    emails = shipment_emails(world, split)
    assert [e["statusId"] for e in emails] == [PARTIALLY_SENT, SENT]
    assert (await shop.order(split)).shipping_tracking_no == "00370000000000000004"

    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()
    stats = await report_statistics("demo", day=today)
    assert (stats["orders_exported"], stats["orders_shipped"]) == (3, 3)
    assert (stats["shipments_full"], stats["shipments_partial"], stats["emails_triggered"]) == (3, 1, 4)
    assert stats["median_hours_to_shipment"] >= 0


async def test_first_activation_over_300_old_shipped_orders_mails_nobody(world: World, shop: Shop,
                                                                       warehouse: Warehouse) -> None:
    cutoff = load_merchant_by_id("demo", world.merchants_dir).go_live_cutoff
    assert cutoff is not None
    async with shop.client() as client:  # one session: 300 orders placed before the go-live cutoff
        old = [(await client.create_order(old_order(cutoff - timedelta(days=20)))).order_id for _ in range(300)]
    world.ongoing.post("/_sim/articles/SOCK-MER-42/stock", json={"numberOfItems": 1000}).raise_for_status()
    with httpx.Client(base_url=world.sims.ongoing_api, auth=("demo-api", "demo-password"), timeout=10) as api:
        for order_id in old:  # exported by the previous integration, long since shipped
            api.put("/orders", json={
                "goodsOwnerId": 1, "orderNumber": f"FJ-{order_id}", "goodsOwnerOrderId": str(order_id),
                "deliveryDate": "2026-10-10", "consignee": {"name": "Kund", "address1": "Gatan 1", "postCode": "11122",
                                                            "city": "Stockholm", "countryCode": "SE"},
                "orderLines": [{"rowNumber": "1", "articleNumber": "SOCK-MER-42", "numberOfItems": 1}],
            }).raise_for_status()
            ship(world, f"FJ-{order_id}", f"OLD{order_id}", [{"rowNumber": "1", "numberOfItems": 1}])

    preview = await report_shipments("demo", dry_run=True)
    assert preview["would report"] == 300 and preview["emails"] == 0
    assert writes() == []

    done = await report_shipments("demo")
    assert done["reported"] == 300 and done["emails"] == 0
    assert world.starweb.get("/_sim/emails").json()["data"] == [], "not one customer email"
    assert (await shop.order(old[0])).status_id == SENT, "synced silently, not skipped"
    assert warehouse.order(f"FJ-{old[-1]}")["orderLines"][0]["reportedNumberOfItems"] == 1


ALTERNATE_PARTIALLY_SENT = 9


async def test_a_partial_shipment_that_changes_no_status_counts_no_email_until_the_merchant_alternates(
        world: World, shop: Shop, warehouse: Warehouse) -> None:
    merchant_file = world.merchants_dir / "demo.yaml"
    with_alternate = merchant_file.read_text()
    merchant_file.write_text(with_alternate.replace("alternate_starweb: 9, ", ""))
    order = await shop.place_order([("POLE-CF-120", 1), ("SOCK-MER-42", 1), ("THERMOS-1L", 1), ("TENT-FJ2", 1)])
    number = f"FJ-{order}"
    await export_orders("demo")

    def parcel(sku: str, waybill: str) -> None:
        ship(world, number, waybill, rows(warehouse, number, {sku: 1}))

    parcel("POLE-CF-120", "00370000000000000011")
    assert (await report_shipments("demo"))["emails"] == 1
    parcel("SOCK-MER-42", "00370000000000000012")
    second = await report_shipments("demo")
    assert (second["reported"], second["emails"]) == (1, 0), "Starweb mails nobody: the status did not change"
    assert [e["statusId"] for e in shipment_emails(world, order)] == [PARTIALLY_SENT]
    assert (await shop.order(order)).shipping_tracking_no == "00370000000000000012", "the parcel is still reported"

    merchant_file.write_text(with_alternate)  # the way out: a second "partially sent" status to alternate with
    parcel("THERMOS-1L", "00370000000000000013")
    third = await report_shipments("demo")
    parcel("TENT-FJ2", "00370000000000000014")
    last = await report_shipments("demo")
    assert (third["emails"], last["emails"]) == (1, 1)
    assert [(e["statusId"], e["shippingTrackingNo"]) for e in shipment_emails(world, order)] == [
        (PARTIALLY_SENT, "00370000000000000011"), (ALTERNATE_PARTIALLY_SENT, "00370000000000000013"),
        (SENT, "00370000000000000014")]


async def test_a_shipment_waits_for_its_waybill_and_a_late_waybill_still_reaches_starweb(
        world: World, shop: Shop, warehouse: Warehouse) -> None:
    on_time = await shop.place_order([("POLE-CF-120", 1)])
    late = await shop.place_order([("THERMOS-1L", 1)])
    split = await shop.place_order([("SOCK-MER-42", 1), ("SOCK-MER-38", 1)])
    await export_orders("demo")
    ship(world, f"FJ-{split}", "00370000000000000023", rows(warehouse, f"FJ-{split}", {"SOCK-MER-42": 1}))
    for order in (on_time, late):  # the orders reach "sent" before the shipping platform made their waybills
        world.ongoing.post(f"/_sim/orders/FJ-{order}/ship", json={
            "withWaybill": False, "lines": rows(warehouse, f"FJ-{order}", {"POLE-CF-120": 1, "THERMOS-1L": 1})
        }).raise_for_status()

    waiting = await report_shipments("demo")
    assert (waiting["held"], waiting["reported"], waiting["emails"]) == (2, 1, 1)
    assert [(await shop.order(o)).status_id for o in (on_time, late)] == [1, 1], "Starweb is not told yet"
    assert warehouse.order(f"FJ-{on_time}")["orderLines"][0]["reportedNumberOfItems"] is None

    # One waybill arrives within the grace period; the other order's grace period runs out. The split
    # order's second parcel leaves without a waybill of its own (the order still shows the first one).
    world.ongoing.post(f"/_sim/orders/FJ-{on_time}/waybill", json={"waybill": "00370000000000000021"})
    with tasks.runtime.ledger().session() as session:
        session.execute(update(ShipmentSighting).where(ShipmentSighting.order_number == f"FJ-{late}")
                        .values(first_seen_at=utcnow() - timedelta(minutes=31)))
    world.ongoing.post(f"/_sim/orders/FJ-{split}/ship", json={
        "withWaybill": False, "lines": rows(warehouse, f"FJ-{split}", {"SOCK-MER-38": 1})}).raise_for_status()
    reported = await report_shipments("demo")
    assert (reported["reported"], reported["emails"], reported["held"]) == (2, 2, 1)
    assert [e["shippingTrackingNo"] for e in shipment_emails(world, on_time)] == ["00370000000000000021"]
    assert [e["shippingTrackingNo"] for e in shipment_emails(world, late)] == [None], "mailed without a number"

    world.ongoing.post(f"/_sim/orders/FJ-{late}/waybill", json={"waybill": "00370000000000000022"})
    world.ongoing.post(f"/_sim/orders/FJ-{split}/waybill", json={"waybill": "00370000000000000024"})
    followed = await report_shipments("demo")
    assert (followed["tracking added"], followed["reported"], followed["emails"]) == (1, 1, 1)
    late_order = await shop.order(late)
    assert (late_order.status_id, late_order.shipping_tracking_no, late_order.shipping_tracker_type) == (
        SENT, "00370000000000000022", 2)
    assert len(shipment_emails(world, late)) == 1, "the late waybill sends no second email"
    assert [e["shippingTrackingNo"] for e in shipment_emails(world, split)] == [
        "00370000000000000023", "00370000000000000024"], "each parcel's own number, never the first one twice"
    assert "tracking added" not in await report_shipments("demo"), "written once"
