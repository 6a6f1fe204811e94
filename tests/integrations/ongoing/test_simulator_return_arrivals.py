"""Returns arriving at the simulated warehouse the ways a TPL books them: a return inbound naming its order,
a parcel back from the carrier, and goods received against an announced return order — counted on the
sales order too, or not, as the warehouse is set up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from integrations.ongoing.simulator import OngoingSimSettings

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from tests.integrations.ongoing.sim_fixtures import OngoingSim

pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]


def shipped_order(sim: OngoingSim, number: str, lines: list[tuple[str, float]]) -> int:
    order_id = sim.put_order(number, lines).json()["orderId"]
    sim.warehouse(f"orders/{number}/ship", {"lines": [{"rowNumber": str(row), "numberOfItems": qty}
                                                      for row, (_, qty) in enumerate(lines, start=1)],
                                            "waybill": f"W-{number}"})
    return order_id


def test_a_return_inbound_is_a_received_return_type_purchase_order_with_the_tpls_reference(sim: OngoingSim) -> None:
    before = sim.inventory("POLE-CF-120")["numberOfItems"]
    booked = sim.warehouse("purchaseOrders/returns", {"referenceNumber": "FJ-1042", "purchaseOrderRemark": "Ångerköp",
                                                      "lines": [{"articleNumber": "POLE-CF-120", "numberOfItems": 1}]})
    info = booked["purchaseOrderInfo"]
    assert info["purchaseOrderNumber"] == "RET-1" and info["referenceNumber"] == "FJ-1042"
    assert info["advanced"]["purchaseOrderIsReturnType"] is True and info["purchaseOrderStatus"]["number"] == 500
    assert [(li["receivedNumberOfItems"], li["reportedNumberOfItems"]) for li in booked["purchaseOrderLines"]] == [
        (1, None)]
    assert sim.inventory("POLE-CF-120")["numberOfItems"] == before + 1
    listed = sim.api.get("/purchaseOrders", params={"goodsOwnerId": 1, "lastReceiveTimeFrom": "2026-01-01T00:00:00Z"})
    assert [p["purchaseOrderInfo"]["purchaseOrderNumber"] for p in listed.json()] == ["RET-1"]
    refused = sim.admin.post("/_sim/purchaseOrders/returns", json={"purchaseOrderNumber": "RET-1", "lines": [
        {"articleNumber": "POLE-CF-120", "numberOfItems": 1}]})
    assert refused.status_code == 400 and "RET-1" in refused.json()["Message"]


def test_a_parcel_back_from_the_carrier_returns_everything_on_the_parcels_own_waybill(sim: OngoingSim) -> None:
    order_id = shipped_order(sim, "FJ-1", [("THERMOS-1L", 1), ("SOCK-MER-42", 2)])
    before = sim.inventory("THERMOS-1L")["numberOfItems"]
    back = sim.warehouse("orders/FJ-1/returnToSender")
    assert back["orderInfo"]["returnWayBill"] == "W-FJ-1" and back["returnTracking"][0]["waybill"] == "W-FJ-1"
    assert back["orderInfo"]["orderStatus"]["number"] == 800
    assert [(li["returnedNumberOfItems"], li["reportedReturnedNumberOfItems"]) for li in back["orderLines"]] == [
        (1, None), (2, None)]
    assert sim.inventory("THERMOS-1L")["numberOfItems"] == before + 1
    assert sim.order(order_id)["orderInfo"]["returnWayBill"] == "W-FJ-1"
    unsent = sim.put_order("FJ-2", [("THERMOS-1L", 1)])
    assert unsent.status_code in (200, 201)
    assert sim.admin.post("/_sim/orders/FJ-2/returnToSender").status_code == 400


def announce(sim: OngoingSim, order_id: int, line_id: int, units: float, cause: str = "REGRET") -> None:
    response = sim.api.put("/returnOrders", json={
        "goodsOwnerId": 1, "returnOrderNumber": "FJ-1-R1", "customerOrder": {"orderId": order_id},
        "returnOrderLines": [{"returnOrderRowNumber": "1", "customerOrderLine": {"orderLineId": line_id},
                              "toBeReturnedNumberOfItems": units, "returnCause": {"code": cause}}]})
    assert response.status_code == 200, response.text


def test_goods_received_against_a_return_order_count_on_the_sales_order_by_default(sim: OngoingSim) -> None:
    order_id = shipped_order(sim, "FJ-1", [("SOCK-MER-42", 3)])
    line_id = sim.order(order_id)["orderLines"][0]["id"]
    announce(sim, order_id, line_id, 2)
    before = sim.inventory("SOCK-MER-42")["numberOfItems"]
    arrived = sim.warehouse("returnOrders/FJ-1-R1/receive", {"comment": "Oanvända"})
    (line,) = arrived["returnOrderLines"]
    assert (line["returnedNumberOfItems"], line["returnedArticleItems"][0]["returnComment"]) == (2, "Oanvända")
    assert line["returnedArticleItems"][0]["returnCause"]["code"] == "REGRET"
    assert arrived["returnOrderInfo"]["returnOrderStatus"]["number"] == 300
    on_order = sim.order(order_id)["orderLines"][0]
    assert on_order["returnedNumberOfItems"] == 2
    assert sum(i["numberOfItems"] for i in on_order["pickedArticleItems"] if i["isReturned"]) == 2
    assert sim.inventory("SOCK-MER-42")["numberOfItems"] == before + 2
    assert sim.admin.post("/_sim/returnOrders/FJ-1-R1/receive").status_code == 400, "nothing more is expected"


def test_a_warehouse_can_keep_return_order_arrivals_off_the_sales_order(
        start_ongoing_sim: Callable[..., AbstractContextManager[OngoingSim]]) -> None:
    with start_ongoing_sim(OngoingSimSettings(return_order_arrivals_on_sales_order=False)) as sim:
        sim.reset()
        order_id = shipped_order(sim, "FJ-1", [("SOCK-MER-42", 3)])
        line_id = sim.order(order_id)["orderLines"][0]["id"]
        announce(sim, order_id, line_id, 2, cause="COMPLAINT")  # a remove cause: the goods are discarded
        before = sim.inventory("SOCK-MER-42")["numberOfItems"]
        arrived = sim.warehouse("returnOrders/FJ-1-R1/receive")
        line = arrived["returnOrderLines"][0]
        assert (line["returnedNumberOfItems"], line["returnedRemovedByInventoryNumberOfItems"]) == (2, 2)
        assert sim.order(order_id)["orderLines"][0]["returnedNumberOfItems"] == 0
        assert sim.inventory("SOCK-MER-42")["numberOfItems"] == before
        # A return registered on the order itself leaves the return order alone in this warehouse.
        sim.warehouse("orders/FJ-1/return", {"lines": [{"rowNumber": "1", "numberOfItems": 1}]})
        (return_order,) = sim.api.get("/returnOrders", params={"goodsOwnerId": 1}).json()
        assert return_order["returnOrderLines"][0]["returnedNumberOfItems"] == 2
