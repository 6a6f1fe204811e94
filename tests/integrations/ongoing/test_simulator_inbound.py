"""Goods coming into the simulated warehouse: purchase orders with (deviating) receipts, and advised
customer return orders."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import pytest

from integrations.ongoing.simulator import OngoingSimSettings

if TYPE_CHECKING:
    from tests.integrations.ongoing.sim_fixtures import OngoingSim

pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]


def purchase_order_body(sim: OngoingSim, number: str, lines: list[tuple[str, float]]) -> dict:
    return {"goodsOwnerId": sim.goods_owner_id, "purchaseOrderNumber": number, "inDate": "2026-12-05",
            "supplierInfo": {"supplierNumber": "S1", "supplierName": "Kolfiber AB"},
            "purchaseOrderLines": [{"rowNumber": str(row), "articleNumber": article, "numberOfItems": quantity}
                                   for row, (article, quantity) in enumerate(lines, start=1)]}


def put_purchase_order(sim: OngoingSim, number: str, lines: list[tuple[str, float]]) -> int:
    response = sim.api.put("/purchaseOrders", json=purchase_order_body(sim, number, lines))
    assert response.status_code == 200, response.text
    return response.json()["purchaseOrderId"]


def test_a_receipt_that_deviates_is_400_until_the_rest_arrives_then_500(sim: OngoingSim) -> None:
    po_id = put_purchase_order(sim, "PO-1", [("POLE-CF-135", 10), ("SOCK-MER-46", 20)])
    assert sim.inventory("POLE-CF-135")["toReceiveNumberOfItems"] == 10
    partly = sim.warehouse("purchaseOrders/PO-1/receive", {"lines": [{"rowNumber": "1", "numberOfItems": 7},
                                                                     {"rowNumber": "2", "numberOfItems": 20}]})
    assert partly["purchaseOrderInfo"]["purchaseOrderStatus"] == {"number": 400, "text": "Avvikelse"}
    assert [(line["advisedNumberOfItems"], line["receivedNumberOfItems"]) for line in partly["purchaseOrderLines"]] == [
        (10, 7), (20, 20)]
    poles = sim.inventory("POLE-CF-135")
    assert (poles["numberOfItems"], poles["toReceiveNumberOfItems"]) == (32, 3)
    assert poles["lastInDate"] is not None

    done = sim.warehouse("purchaseOrders/PO-1/receive", {"lines": [{"rowNumber": "1", "numberOfItems": 3}]})
    assert done["purchaseOrderInfo"]["purchaseOrderStatus"]["number"] == 500
    poles = sim.inventory("POLE-CF-135")
    assert (poles["numberOfItems"], poles["toReceiveNumberOfItems"]) == (35, 0)
    assert sim.inventory("SOCK-MER-46")["sellableNumberOfItems"] == 20
    assert sim.api.get(f"/purchaseOrders/{po_id}").json()["purchaseOrderInfo"]["purchaseOrderStatus"]["number"] == 500


def test_over_delivery_is_a_deviation_too(sim: OngoingSim) -> None:
    put_purchase_order(sim, "PO-1", [("TENT-FJ2", 2)])
    over = sim.warehouse("purchaseOrders/PO-1/receive", {"lines": [{"rowNumber": "1", "numberOfItems": 3}]})
    assert over["purchaseOrderInfo"]["purchaseOrderStatus"]["number"] == 400
    tent = sim.inventory("TENT-FJ2")
    assert (tent["numberOfItems"], tent["toReceiveNumberOfItems"]) == (9, 0)


@pytest.mark.parametrize(("advice", "shown"), [("zero", 0), ("null", None)])
def test_an_article_never_advised_gets_a_line_of_its_own(
        start_ongoing_sim: Callable[..., AbstractContextManager[OngoingSim]], advice: str, shown: float | None) -> None:
    with start_ongoing_sim(OngoingSimSettings(unadvised_receipt_advice=advice)) as sim:
        sim.reset()
        put_purchase_order(sim, "PO-1", [("TENT-FJ2", 2)])
        received = sim.warehouse("purchaseOrders/PO-1/receive", {"lines": [
            {"articleNumber": "TENT-FJ2", "numberOfItems": 2}, {"articleNumber": "THERMOS-1L", "numberOfItems": 4}]})

        lines = [(line["rowNumber"], line["article"]["articleNumber"], line["advisedNumberOfItems"],
                  line["receivedNumberOfItems"]) for line in received["purchaseOrderLines"]]
        assert lines == [("1", "TENT-FJ2", 2, 2), ("2", "THERMOS-1L", shown, 4)]
        assert received["purchaseOrderInfo"]["purchaseOrderStatus"]["number"] == 400, "4 units nobody advised"
        assert sim.inventory("THERMOS-1L")["numberOfItems"] == 34
        assert sim.inventory("THERMOS-1L")["reported"]["receivedToBeReportedNumberOfItems"] == 4


def test_receiving_an_unknown_article_is_refused(sim: OngoingSim) -> None:
    put_purchase_order(sim, "PO-1", [("TENT-FJ2", 2)])
    refused = sim.admin.post("/_sim/purchaseOrders/PO-1/receive",
                             json={"lines": [{"articleNumber": "NO-SUCH-SKU", "numberOfItems": 1}]})
    assert refused.status_code == 400 and "NO-SUCH-SKU" in refused.json()["Message"]
    (po,) = sim.api.get("/purchaseOrders", params={"goodsOwnerId": sim.goods_owner_id}).json()
    assert len(po["purchaseOrderLines"]) == 1, "nothing was added"


@pytest.mark.parametrize("over_status", [400, 500])
def test_an_over_delivery_leaves_the_status_the_tenant_shows(
        start_ongoing_sim: Callable[..., AbstractContextManager[OngoingSim]], over_status: int) -> None:
    with start_ongoing_sim(OngoingSimSettings(over_delivery_status=over_status)) as sim:
        sim.reset()
        put_purchase_order(sim, "PO-1", [("TENT-FJ2", 2), ("THERMOS-1L", 5)])
        over = sim.warehouse("purchaseOrders/PO-1/receive", {"lines": [{"rowNumber": "1", "numberOfItems": 3},
                                                                       {"rowNumber": "2", "numberOfItems": 5}]})
        assert over["purchaseOrderInfo"]["purchaseOrderStatus"]["number"] == over_status
        put_purchase_order(sim, "PO-2", [("TENT-FJ2", 2), ("THERMOS-1L", 5)])
        short = sim.warehouse("purchaseOrders/PO-2/receive", {"lines": [{"rowNumber": "1", "numberOfItems": 3},
                                                                        {"rowNumber": "2", "numberOfItems": 4}]})
        assert short["purchaseOrderInfo"]["purchaseOrderStatus"]["number"] == 400, "a short line is a deviation"


@pytest.mark.parametrize(("omitted", "rows"), [("removed", ["1"]), ("kept", ["2", "1"])])
def test_an_update_removes_or_keeps_the_rows_it_leaves_out(
        start_ongoing_sim: Callable[..., AbstractContextManager[OngoingSim]], omitted: str, rows: list[str]) -> None:
    with start_ongoing_sim(OngoingSimSettings(omitted_purchase_order_lines=omitted)) as sim:
        sim.reset()
        po_id = put_purchase_order(sim, "PO-1", [("TENT-FJ2", 2), ("THERMOS-1L", 5)])
        put_purchase_order(sim, "PO-1", [("TENT-FJ2", 3)])
        lines = sim.api.get(f"/purchaseOrders/{po_id}").json()["purchaseOrderLines"]
        assert [line["rowNumber"] for line in lines] == rows
        assert sim.inventory("THERMOS-1L")["toReceiveNumberOfItems"] == (5 if omitted == "kept" else 0)


def test_a_return_type_purchase_order_says_so(sim: OngoingSim) -> None:
    body = {**purchase_order_body(sim, "RET-1", [("TENT-FJ2", 1)]), "advanced": {"purchaseOrderIsReturnType": True}}
    sim.api.put("/purchaseOrders", json=body).raise_for_status()
    put_purchase_order(sim, "PO-1", [("TENT-FJ2", 1)])
    found = sim.api.get("/purchaseOrders", params={"goodsOwnerId": sim.goods_owner_id}).json()
    assert {p["purchaseOrderInfo"]["purchaseOrderNumber"]: p["purchaseOrderInfo"]["advanced"][
        "purchaseOrderIsReturnType"] for p in found} == {"RET-1": True, "PO-1": False}


def test_receipts_are_found_by_last_receive_time(sim: OngoingSim) -> None:
    put_purchase_order(sim, "PO-1", [("TENT-FJ2", 1)])
    put_purchase_order(sim, "PO-2", [("TENT-FJ2", 1)])
    received = sim.warehouse("purchaseOrders/PO-2/receive")
    since = received["purchaseOrderInfo"]["advanced"]["arrivalDate"]
    found = sim.api.get("/purchaseOrders", params={"goodsOwnerId": sim.goods_owner_id,
                                                   "lastReceiveTimeFrom": since}).json()
    assert [p["purchaseOrderInfo"]["purchaseOrderNumber"] for p in found] == ["PO-2"]


def test_purchase_orders_are_upserted_until_receiving_starts(sim: OngoingSim) -> None:
    first = put_purchase_order(sim, "PO-1", [("THERMOS-1L", 5)])
    again = put_purchase_order(sim, "PO-1", [("THERMOS-1L", 8), ("TENT-FJ2", 1)])
    assert first == again
    assert sim.inventory("THERMOS-1L")["toReceiveNumberOfItems"] == 8
    sim.warehouse("purchaseOrders/PO-1/receive", {"lines": [{"rowNumber": "1", "numberOfItems": 1}]})
    refused = sim.api.put("/purchaseOrders", json=purchase_order_body(sim, "PO-1", [("THERMOS-1L", 9)]))
    cancel = sim.api.delete(f"/purchaseOrders/{first}")
    assert refused.status_code == 400 and "started receiving" in refused.json()["Message"]
    assert cancel.status_code == 400


def test_cancelling_a_purchase_order_stops_it_counting_as_to_receive(sim: OngoingSim) -> None:
    put_purchase_order(sim, "PO-1", [("THERMOS-1L", 5)])
    response = sim.api.delete("/purchaseOrders", params={"goodsOwnerId": sim.goods_owner_id,
                                                         "purchaseOrderNumber": "PO-1"})
    assert response.status_code == 200
    assert sim.inventory("THERMOS-1L")["toReceiveNumberOfItems"] == 0
    (po,) = sim.api.get("/purchaseOrders", params={"goodsOwnerId": sim.goods_owner_id,
                                                   "purchaseOrderNumbers": ["PO-1"]}).json()
    assert po["purchaseOrderInfo"]["purchaseOrderStatus"]["number"] == 900


def test_purchase_orders_page_by_id_and_filter_lines_to_report(sim: OngoingSim) -> None:
    ids = [put_purchase_order(sim, f"PO-{n}", [("THERMOS-1L", 1)]) for n in range(3)]
    params: dict[str, int] = {"goodsOwnerId": sim.goods_owner_id, "maxPurchaseOrdersToGet": 2}
    first = sim.api.get("/purchaseOrders", params={**params, "purchaseOrderIdFrom": 0}).json()
    rest = sim.api.get("/purchaseOrders", params={
        **params, "purchaseOrderIdFrom": first[-1]["purchaseOrderInfo"]["purchaseOrderId"] + 1}).json()
    assert [p["purchaseOrderInfo"]["purchaseOrderId"] for p in first + rest] == ids

    received = sim.warehouse("purchaseOrders/PO-1/receive")
    to_report: dict[str, int | str] = {"goodsOwnerId": sim.goods_owner_id,
                                       "onlyPurchaseOrdersWithOrderLinesToReport": "true"}
    assert [p["purchaseOrderInfo"]["purchaseOrderNumber"] for p in sim.api.get("/purchaseOrders",
                                                                               params=to_report).json()] == ["PO-1"]
    line_id = received["purchaseOrderLines"][0]["id"]
    sim.api.patch(f"/purchaseOrders/{ids[1]}/lines/{line_id}/reportedNumberOfItems",
                  json={"reportedNumberOfItems": 1}).raise_for_status()
    assert sim.api.get("/purchaseOrders", params=to_report).json() == []


def test_purchase_order_statuses_use_the_orderstatuses_key(sim: OngoingSim) -> None:
    statuses = sim.api.get("/purchaseOrders/statuses").json()["orderStatuses"]
    assert [s["number"] for s in statuses] == [100, 200, 300, 400, 500, 900]


def shipped_order(sim: OngoingSim) -> dict:
    order_id = sim.put_order("FJ-1", [("SOCK-MER-42", 2), ("THERMOS-1L", 1)]).json()["orderId"]
    sim.warehouse("orders/FJ-1/pick")
    sim.warehouse("orders/FJ-1/ship")
    return sim.order(order_id)


def return_order_body(sim: OngoingSim, order: dict, line: dict, quantity: float, **extra) -> dict:
    return {"goodsOwnerId": sim.goods_owner_id, "returnOrderNumber": "RMA-1",
            "customerOrder": {"orderId": order["orderInfo"]["orderId"]},
            "returnOrderLines": [{"returnOrderRowNumber": "R1", "customerOrderLine": {"orderLineId": line["id"]},
                                  "toBeReturnedNumberOfItems": quantity, "returnCause": {"code": "REGRET"}}],
            **extra}


def test_a_return_order_is_filled_by_the_goods_arriving_on_the_customer_order(sim: OngoingSim) -> None:
    order = shipped_order(sim)
    socks = order["orderLines"][0]
    created = sim.api.put("/returnOrders", json=return_order_body(sim, order, socks, 2))
    assert created.status_code == 200
    return_id = created.json()["returnOrderId"]
    advised = sim.api.get(f"/returnOrders/{return_id}").json()
    assert advised["returnOrderInfo"]["returnOrderStatus"]["number"] == 100
    assert advised["customerOrderInfo"] == {"orderId": order["orderInfo"]["orderId"], "orderNumber": "FJ-1"}
    assert advised["returnOrderLines"][0]["customerOrderLine"] == {"orderLineId": socks["id"],
                                                                   "customerOrderRowNumber": "1"}

    sim.warehouse("orders/FJ-1/return", {"lines": [{"rowNumber": "1", "numberOfItems": 1}], "cause": "REGRET"})
    (partly,) = sim.api.get("/returnOrders", params={"goodsOwnerId": sim.goods_owner_id,
                                                     "customerOrderNumbers": ["FJ-1"]}).json()
    assert partly["returnOrderInfo"]["returnOrderStatus"]["number"] == 200
    assert partly["returnOrderLines"][0]["returnedNumberOfItems"] == 1
    sim.warehouse("orders/FJ-1/return", {"lines": [{"rowNumber": "1", "numberOfItems": 1}], "cause": "REGRET"})
    done = sim.api.get(f"/returnOrders/{return_id}").json()
    assert done["returnOrderInfo"]["returnOrderStatus"]["number"] == 300
    assert done["returnOrderInfo"]["returnOrderArrivalTime"] is not None
    assert sim.api.put("/returnOrders", json=return_order_body(sim, order, socks, 1)).status_code == 400


def test_return_order_lines_must_belong_to_the_customer_order(sim: OngoingSim) -> None:
    order = shipped_order(sim)
    other_id = sim.put_order("FJ-2", [("TENT-FJ2", 1)]).json()["orderId"]
    foreign_line = sim.order(other_id)["orderLines"][0]
    wrong_line = sim.api.put("/returnOrders", json=return_order_body(sim, order, foreign_line, 1))
    missing_order = sim.api.put("/returnOrders", json={**return_order_body(sim, order, order["orderLines"][0], 1),
                                                       "customerOrder": {"orderId": 1}})
    unknown_cause = return_order_body(sim, order, order["orderLines"][0], 1)
    unknown_cause["returnOrderLines"][0]["returnCause"] = {"code": "NOPE"}
    assert wrong_line.status_code == 400 and str(foreign_line["id"]) in wrong_line.json()["Message"]
    assert missing_order.status_code == 400
    assert sim.api.put("/returnOrders", json=unknown_cause).status_code == 400
    assert sim.api.get("/returnOrders", params={"goodsOwnerId": sim.goods_owner_id}).json() == []


def test_return_causes_and_return_order_statuses_registers(sim: OngoingSim) -> None:
    causes = sim.api.get("/returnOrders/returnCauses", params={"goodsOwnerId": sim.goods_owner_id}).json()
    complaint = next(c for c in causes["returnCauses"] if c["code"] == "COMPLAINT")
    assert complaint["isRemoveCause"] is True and isinstance(complaint["id"], int)
    statuses = sim.api.get("/returnOrders/statuses").json()["returnOrderStatuses"]
    assert [s["number"] for s in statuses] == [100, 200, 300, 900]
