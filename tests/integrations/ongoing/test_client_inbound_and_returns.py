"""The Ongoing client's purchase-order, return-order and register calls."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import httpx
import respx

from integrations.ongoing.client import OngoingClient
from integrations.ongoing.models import (
    CodeName,
    CustomerOrderLineRef,
    CustomerOrderRef,
    PurchaseOrderLineWrite,
    PurchaseOrderSupplierWrite,
    PurchaseOrderWrite,
    ReturnOrderLineWrite,
    ReturnOrderWrite,
)
from tests.integrations.ongoing.payloads import (
    GOODS_OWNER_ID,
    RETURN_CAUSES_JSON,
    TRANSPORTER_CONTRACTS_JSON,
    purchase_order_json,
    return_order_json,
)


async def test_put_purchase_order_sends_lines_and_returns_the_id(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.put("/purchaseOrders").respond(
        200, json={"purchaseOrderId": 246, "message": "Inorder with order number PO1213 created. <br/>"})

    result = await ongoing.put_purchase_order(PurchaseOrderWrite(
        purchase_order_number="PO1213", in_date=date(2026, 11, 1),
        supplier_info=PurchaseOrderSupplierWrite(supplier_number="SUP1", supplier_name="Ullfabriken AB"),
        purchase_order_lines=[PurchaseOrderLineWrite(row_number="1", article_number="SOCK-MER-38", number_of_items=10,
                                                     external_order_line_id="PO-LINE-1")],
    ))

    assert result.purchase_order_id == 246
    assert json.loads(route.calls.last.request.content) == {
        "goodsOwnerId": GOODS_OWNER_ID, "purchaseOrderNumber": "PO1213", "inDate": "2026-11-01",
        "supplierInfo": {"supplierNumber": "SUP1", "supplierName": "Ullfabriken AB"},
        "purchaseOrderLines": [{"rowNumber": "1", "articleNumber": "SOCK-MER-38", "numberOfItems": 10.0,
                                "externalOrderLineId": "PO-LINE-1"}],
    }


async def test_find_purchase_order_by_number_reads_received_quantities(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/purchaseOrders").respond(200, json=[purchase_order_json(246, "PO1213")])

    found = await ongoing.find_purchase_order_by_number("PO1213")

    assert found is not None and found.status_number == 400
    line = found.purchase_order_lines[0]
    assert (line.id, line.advised_number_of_items, line.received_number_of_items, line.reported_number_of_items) == (
        1201, 10.0, 7.0, None)
    assert route.calls.last.request.url.params["purchaseOrderNumber"] == "PO1213"


async def test_iter_purchase_orders_pages_with_purchase_order_id_cursor(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    pages = {"1": [240, 246], "247": [250, 251], "252": [260]}
    route = ongoing_api.get("/purchaseOrders").mock(side_effect=lambda request: httpx.Response(200, json=[
        purchase_order_json(i, f"PO{i}") for i in pages[request.url.params["purchaseOrderIdFrom"]]]))

    found = [p.purchase_order_id async for p in ongoing.iter_purchase_orders(
        status_changed_time_from=datetime(2026, 11, 1, tzinfo=UTC), only_with_lines_to_report=True, page_size=2)]

    assert found == [240, 246, 250, 251, 260]
    assert [c.request.url.params["purchaseOrderIdFrom"] for c in route.calls] == ["1", "247", "252"]
    params = route.calls.last.request.url.params
    assert params["maxPurchaseOrdersToGet"] == "2"
    assert params["purchaseOrderStatusChangedTimeFrom"] == "2026-11-01T00:00:00.000+00:00"
    assert params["onlyPurchaseOrdersWithOrderLinesToReport"] == "true"


async def test_patch_purchase_order_line_reported_number_of_items(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.patch("/purchaseOrders/246/lines/1201/reportedNumberOfItems").respond(
        200, json={"purchaseOrderId": 246, "message": "Reported number of items updated."})
    result = await ongoing.patch_purchase_order_line_reported_number_of_items(246, 1201, 7)
    assert result.purchase_order_id == 246
    assert json.loads(route.calls.last.request.content) == {"reportedNumberOfItems": 7}


async def test_iter_purchase_orders_filters_by_last_receive_time(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/purchaseOrders").respond(200, json=[purchase_order_json(246, "PO1213")])

    found = [p.purchase_order_id async for p in ongoing.iter_purchase_orders(
        last_receive_time_from=datetime(2026, 11, 2, 8, 30, tzinfo=UTC))]

    assert found == [246]
    assert route.calls.last.request.url.params["lastReceiveTimeFrom"] == "2026-11-02T08:30:00.000+00:00"


async def test_set_purchase_order_reported_to_received_is_one_bodiless_patch(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.patch("/purchaseOrders/246/setReportedNumberOfItemsToReceivedNumberOfItems").respond(
        200, json={"purchaseOrderId": 246, "message": "Reported number of items updated."})

    result = await ongoing.set_purchase_order_reported_to_received(246)

    assert result.purchase_order_id == 246
    assert route.calls.last.request.content == b""


async def test_put_return_order_refers_to_internal_order_and_line_ids(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.put("/returnOrders").respond(200, json={"returnOrderId": 301, "message": None})

    result = await ongoing.put_return_order(ReturnOrderWrite(
        return_order_number="RMA-1", customer_order=CustomerOrderRef(order_id=50163), in_date=date(2026, 11, 2),
        return_order_lines=[ReturnOrderLineWrite(return_order_row_number="1",
                                                 customer_order_line=CustomerOrderLineRef(order_line_id=48838),
                                                 to_be_returned_number_of_items=1,
                                                 return_cause=CodeName(code="REGRET", name="Ångerköp"))],
    ))

    assert result.return_order_id == 301
    assert json.loads(route.calls.last.request.content) == {
        "goodsOwnerId": GOODS_OWNER_ID, "returnOrderNumber": "RMA-1", "customerOrder": {"orderId": 50163},
        "inDate": "2026-11-02",
        "returnOrderLines": [{"returnOrderRowNumber": "1", "customerOrderLine": {"orderLineId": 48838},
                              "toBeReturnedNumberOfItems": 1.0, "returnCause": {"code": "REGRET", "name": "Ångerköp"}}],
    }


async def test_list_return_orders_filters_with_repeated_keys_and_no_paging(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/returnOrders").respond(200, json=[return_order_json(301, "RMA-1")])

    found = await ongoing.list_return_orders(customer_order_numbers=["SW-100234", "SW-100235"],
                                             goods_returned_from_date=date(2026, 11, 1))

    line = found[0].return_order_lines[0]
    assert (found[0].return_order_id, line.customer_order_line.order_line_id if line.customer_order_line else None,
            line.returned_removed_by_inventory_number_of_items) == (301, 48838, 1.0)
    assert line.returned_article_items[0].is_return_removed_by_inventory is True
    params = route.calls.last.request.url.params
    assert params.get_list("customerOrderNumbers") == ["SW-100234", "SW-100235"]
    assert params["goodsReturnedFromDate"] == "2026-11-01"
    assert not any(key.endswith("IdFrom") or key.startswith("max") for key in params)


async def test_get_return_order_by_id(ongoing: OngoingClient, ongoing_api: respx.MockRouter) -> None:
    ongoing_api.get("/returnOrders/301").respond(200, json=return_order_json(301, "RMA-1"))
    found = await ongoing.get_return_order(301)
    assert found.return_order_info.return_order_status is not None
    assert found.return_order_info.return_order_status.number == 300


async def test_list_return_causes_tells_remove_causes_apart(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/returnOrders/returnCauses").respond(200, json=RETURN_CAUSES_JSON)
    causes = await ongoing.list_return_causes()
    assert [(c.id, c.code, c.is_remove_cause) for c in causes] == [(11, "REGRET", False), (13, "COMPLAINT", True)]
    assert route.calls.last.request.url.params["goodsOwnerId"] == str(GOODS_OWNER_ID)


async def test_list_transporter_contracts_lists_services_and_tolerates_nulls(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/transporterContracts").respond(200, json=TRANSPORTER_CONTRACTS_JSON)
    contracts = await ongoing.list_transporter_contracts()
    assert [(c.transporter_code, [s.transporter_service_code for s in c.transporter_services]) for c in contracts] == [
        ("SBTL", ["BPA", "BDI"]), ("PLAB", [])]
    assert route.calls.last.request.url.params["goodsOwnerId"] == str(GOODS_OWNER_ID)
