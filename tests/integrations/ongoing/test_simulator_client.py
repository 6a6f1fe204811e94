"""The Ongoing simulator through the connector's own Ongoing client and models: what the simulator
answers parses, and a client pointed at it behaves as it would against Ongoing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from integrations.errors import AuthenticationFailed, GoodsOwnerNotAccessible, RefusedByVendor
from integrations.http import CircuitBreaker, RetryPolicy
from integrations.ongoing.client import OngoingClient, OngoingSettings
from integrations.ongoing.models import (
    Article,
    ArticleWrite,
    ConsigneeWrite,
    Order,
    OrderLineWrite,
    OrderWrite,
    PurchaseOrder,
    PurchaseOrderLineWrite,
    PurchaseOrderWrite,
    ReturnOrder,
    TransporterWrite,
)

if TYPE_CHECKING:
    from tests.integrations.ongoing.sim_fixtures import OngoingSim

pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]


def client_for(sim: OngoingSim, password: str | None = None) -> OngoingClient:
    settings = OngoingSettings(base_url=sim.api_url, username=sim.settings.username,
                               password=password or sim.settings.password.get_secret_value(),
                               goods_owner_id=sim.goods_owner_id)
    return OngoingClient(settings, policy=RetryPolicy.no_wait(), breaker=CircuitBreaker())


def order_write(number: str, *lines: tuple[str, float]) -> OrderWrite:
    return OrderWrite(
        order_number=number, delivery_date=datetime(2026, 12, 1, tzinfo=UTC),
        consignee=ConsigneeWrite(customer_number="C-1", name="Anna Andersson", address1="Storgatan 1",
                                 post_code="11122", city="Stockholm", country_code="SE"),
        transporter=TransporterWrite(transporter_code="PLAB", transporter_service_code="P19"),
        order_lines=[OrderLineWrite(row_number=str(row), article_number=sku, number_of_items=quantity)
                     for row, (sku, quantity) in enumerate(lines, start=1)],
    )


def test_a_fully_worked_order_and_its_neighbours_parse_with_the_client_models(sim: OngoingSim) -> None:
    order_id = sim.put_order("FJ-1", [("SOCK-MER-42", 3), ("THERMOS-1L", 1)]).json()["orderId"]
    sim.warehouse("orders/FJ-1/ship", {"lines": [{"rowNumber": "1", "numberOfItems": 2}], "waybill": "W1",
                                       "trackingUrl": "https://t.example/W1", "parcels": [{"parcelNumber": "K1"}]})
    sim.warehouse("orders/FJ-1/ship", {"lines": [{"rowNumber": "1", "numberOfItems": 1},
                                                 {"rowNumber": "2", "numberOfItems": 1}], "waybill": "W2"})
    raw_order = sim.order(order_id)
    line_id = raw_order["orderLines"][0]["id"]
    sim.api.put("/returnOrders", json={
        "goodsOwnerId": sim.goods_owner_id, "returnOrderNumber": "RMA-1", "customerOrder": {"orderId": order_id},
        "returnOrderLines": [{"returnOrderRowNumber": "R1", "customerOrderLine": {"orderLineId": line_id},
                              "toBeReturnedNumberOfItems": 2}]}).raise_for_status()
    sim.warehouse("orders/FJ-1/return", {"lines": [{"rowNumber": "1", "numberOfItems": 1}], "cause": "COMPLAINT"})
    sim.api.put("/purchaseOrders", json={"goodsOwnerId": sim.goods_owner_id, "purchaseOrderNumber": "PO-1",
                                         "purchaseOrderLines": [{"rowNumber": "1", "articleNumber": "TENT-FJ2",
                                                                 "numberOfItems": 4}]}).raise_for_status()
    raw_po = sim.warehouse("purchaseOrders/PO-1/receive", {"lines": [{"rowNumber": "1", "numberOfItems": 3}]})

    order = Order.model_validate(sim.order(order_id))
    assert order.order_info.order_status.number == 450
    assert [t.waybill for t in order.tracking] == ["W1", "W2"]
    socks = order.order_lines[0]
    assert (socks.picked_number_of_items, socks.packed_number_of_items, socks.returned_number_of_items) == (3, 3, 1)
    returned = [item for item in socks.picked_article_items if item.is_returned]
    assert returned[0].return_cause.code == "COMPLAINT" and returned[0].return_date is not None
    assert order.parcels[0].parcel_number == "K1" and order.transporter is None

    (rma_raw,) = sim.api.get("/returnOrders", params={"goodsOwnerId": sim.goods_owner_id}).json()
    rma = ReturnOrder.model_validate(rma_raw)
    assert rma.return_order_lines[0].returned_removed_by_inventory_number_of_items == 1
    purchase_order = PurchaseOrder.model_validate(raw_po)
    assert purchase_order.purchase_order_info.purchase_order_status.number == 400
    assert purchase_order.purchase_order_lines[0].received_number_of_items == 3
    tent = Article.model_validate(sim.api.get("/articles", params={"goodsOwnerId": sim.goods_owner_id,
                                                                   "articleNumber": "TENT-FJ2"}).json()[0])
    assert tent.inventory_info.number_of_items == 9 and tent.inventory_info.to_receive_number_of_items == 1


async def test_the_client_writes_pages_and_reads_back_through_the_simulator(sim: OngoingSim) -> None:
    async with client_for(sim) as client:
        stored = await client.put_article(ArticleWrite(article_number="CAP-1", article_name="Mössa"))
        assert (await client.get_article(stored.article_system_id)).article_name == "Mössa"

        first = await client.put_order(order_write("FJ-1", ("THERMOS-1L", 2)))
        again = await client.put_order(order_write("FJ-1", ("THERMOS-1L", 3)))
        assert first.created is True and again.created is False and first.order_id == again.order_id
        for n in range(2, 6):
            await client.put_order(order_write(f"FJ-{n}", ("SOCK-MER-42", 1)))
        numbers = [o.order_number async for o in client.iter_orders(page_size=2)]
        assert numbers == [f"FJ-{n}" for n in range(1, 6)]

        found = await client.find_order_by_number("FJ-1")
        assert found is not None and found.order_lines[0].ordered_number_of_items == 3
        assert found.transporter.name == "PostNord MyPack Collect"
        assert await client.find_order_by_number("FJ-404") is None

        since = datetime.now(UTC) - timedelta(minutes=5)
        changed = {a.article_number async for a in client.iter_articles(stock_info_changed_from=since, page_size=3)}
        assert {"THERMOS-1L", "SOCK-MER-42", "CAP-1"} <= changed
        statuses = {s.number: s.text for s in await client.list_order_statuses()}
        assert statuses[211] == "Öppen-Restad"
        contracts = await client.list_transporter_contracts()
        assert {c.transporter_code for c in contracts} == {"SBTL", "PLAB"}


async def test_the_client_sees_ongoings_refusals_as_the_right_errors(sim: OngoingSim) -> None:
    async with client_for(sim) as client:
        order = await client.put_order(order_write("FJ-1", ("TENT-FJ2", 1)))
        await client.patch_order_status(order.order_id, 300)
        with pytest.raises(RefusedByVendor) as refused:
            await client.cancel_order(order.order_id)
        assert refused.value.status == 400 and "started working" in refused.value.vendor_message
        with pytest.raises(RefusedByVendor, match="NO-SUCH-SKU"):
            await client.put_order(order_write("FJ-2", ("NO-SUCH-SKU", 1)))
    async with client_for(sim, password="wrong") as intruder:
        with pytest.raises(AuthenticationFailed, match="refused the credentials of API user 'demo-api'") as caught:
            await intruder.list_order_statuses()
        assert not isinstance(caught.value, GoodsOwnerNotAccessible)


async def test_a_wrong_goods_owner_id_is_reported_as_such_not_as_bad_credentials(sim: OngoingSim) -> None:
    settings = OngoingSettings(base_url=sim.api_url, username=sim.settings.username,
                               password=sim.settings.password.get_secret_value(), goods_owner_id=160)
    async with OngoingClient(settings, policy=RetryPolicy.no_wait(), breaker=CircuitBreaker()) as client:
        with pytest.raises(GoodsOwnerNotAccessible, match="Ongoing accepts API user 'demo-api' but refuses "
                                                          "goods owner 160"):
            await client.find_order_by_number("FJ-1")
        with pytest.raises(GoodsOwnerNotAccessible):
            await client.put_article(ArticleWrite(article_number="TENT-FJ2"))


async def test_reporting_and_purchase_orders_through_the_client(sim: OngoingSim) -> None:
    async with client_for(sim) as client:
        order = await client.put_order(order_write("FJ-1", ("THERMOS-1L", 1)))
        sim.warehouse("orders/FJ-1/pick")
        sim.warehouse("orders/FJ-1/ship")
        to_report = [o.order_number async for o in client.iter_orders(only_orders_with_order_lines_to_report=True)]
        assert to_report == ["FJ-1"]
        await client.set_reported_to_picked(order.order_id)
        assert [o async for o in client.iter_orders(only_orders_with_order_lines_to_report=True)] == []

        line_write = PurchaseOrderLineWrite(row_number="1", article_number="TENT-FJ2", number_of_items=2)
        written = await client.put_purchase_order(PurchaseOrderWrite(
            purchase_order_number="PO-1", in_date=datetime(2026, 12, 5, tzinfo=UTC), purchase_order_lines=[line_write]))
        sim.warehouse("purchaseOrders/PO-1/receive")
        received = await client.find_purchase_order_by_number("PO-1")
        assert received.purchase_order_id == written.purchase_order_id
        assert received.purchase_order_info.purchase_order_status.number == 500
        line = received.purchase_order_lines[0]
        await client.patch_purchase_order_line_reported_number_of_items(received.purchase_order_id, line.id, 2)
        assert [p async for p in client.iter_purchase_orders(only_with_lines_to_report=True)] == []
        causes = {c.code: c.is_remove_cause for c in await client.list_return_causes()}
        assert causes["COMPLAINT"] is True and causes["REGRET"] is False
