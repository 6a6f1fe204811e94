"""The Ongoing simulator's webhooks: set up through /_sim as in Ongoing's UI, called with the documented
payloads and the X-Auth-Token header when orders and purchase orders change and goods come back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.integrations.ongoing.test_simulator_inbound import put_purchase_order
from tests.integrations.simulation.collector import (  # noqa: F401
    Collector,
    collector_fixture,
    collector_server_fixture,
)

if TYPE_CHECKING:
    from tests.integrations.ongoing.sim_fixtures import OngoingSim

pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]

ORDER_MEMBERS = {"webhookOrdersId", "webhookEventId", "system", "timestamp", "orderId", "orderNumber", "goodsOwnerId",
                 "goodsOwnerOrderId", "consigneeOrderNumber", "path", "byUser", "byComputer", "orderStatus",
                 "currentShipmentId", "webhookTemplate", "goodsOwnerName", "goodsOwnerClasses", "tracking", "parcels"}


def set_up(sim: OngoingSim, collector: Collector, family: str, token: str | None = "tpl-secret") -> None:
    body = {"url": collector.url(f"/ongoing/{family}"), "family": family, "authToken": token}
    assert sim.admin.post("/_sim/webhooks", json=body).status_code == 201


def calls(sim: OngoingSim, collector: Collector) -> list[dict]:
    """The calls made, in the order the warehouse made them (deliveries may overtake each other)."""
    sim.admin.get("/_sim/webhooks/deliveries", params={"waitSeconds": 10}).raise_for_status()
    return sorted(collector.calls, key=lambda c: c["body"].get("webhookOrdersId") or
                  c["body"]["webhookPurchaseOrdersId"])


def test_order_webhooks_follow_the_order_through_the_warehouse(sim: OngoingSim, collector: Collector) -> None:
    set_up(sim, collector, "order")
    sim.put_order("FJ-1", [("THERMOS-1L", 1)])
    sim.put_order("FJ-1", [("THERMOS-1L", 2)])  # same status: no call
    sim.warehouse("orders/FJ-1/pick")
    sim.warehouse("orders/FJ-1/ship", {"waybill": "00370000001", "parcels": [{"parcelNumber": "K1"}]})

    made = calls(sim, collector)

    assert [(c["body"]["webhookEventId"], c["body"]["orderStatus"]["number"]) for c in made] == [
        (1, 200), (2, 400), (2, 450)]
    assert {c["headers"]["x-auth-token"] for c in made} == {"tpl-secret"}
    shipped = made[-1]["body"]
    assert set(shipped) == ORDER_MEMBERS
    assert (shipped["orderNumber"], shipped["goodsOwnerId"]) == ("FJ-1", sim.goods_owner_id)
    assert shipped["tracking"][0]["waybill"] == "00370000001"
    assert shipped["parcels"][0]["parcelNumber"] == "K1"
    assert len(shipped["timestamp"].split(".")[1]) == 7 and not shipped["timestamp"].endswith("Z")


def test_purchase_order_and_returns_webhooks(sim: OngoingSim, collector: Collector) -> None:
    set_up(sim, collector, "purchase-order")
    set_up(sim, collector, "returns", token=None)
    put_purchase_order(sim, "PO-1", [("POLE-CF-135", 10)])
    sim.warehouse("purchaseOrders/PO-1/receive", {"lines": [{"rowNumber": "1", "numberOfItems": 7}]})
    sim.put_order("FJ-2", [("THERMOS-1L", 1)])
    sim.warehouse("orders/FJ-2/ship", {"lines": [{"rowNumber": "1", "numberOfItems": 1}]})
    sim.warehouse("orders/FJ-2/return", {"cause": "REGRET"})

    made = calls(sim, collector)

    assert [(c["path"], c["body"].get("purchaseOrderStatus") or c["body"].get("isReturned")) for c in made] == [
        ("/ongoing/purchase-order", {"number": 100}), ("/ongoing/purchase-order", {"number": 400}),
        ("/ongoing/returns", True)]
    assert made[1]["body"]["purchaseOrderNumber"] == "PO-1"
    assert made[2]["body"]["returnCause"]["returnCauseCode"] == "REGRET"
    assert made[2]["body"]["orderNumber"] == "FJ-2"
    assert "x-auth-token" not in made[2]["headers"]


def test_set_up_webhooks_are_listed_without_their_secret_and_removed_together(sim: OngoingSim,
                                                                             collector: Collector) -> None:
    set_up(sim, collector, "order")

    listed = sim.admin.get("/_sim/webhooks").json()["data"]
    removed = sim.admin.delete("/_sim/webhooks").json()
    sim.put_order("FJ-3", [("THERMOS-1L", 1)])

    assert [(h["family"], h["authToken"]) for h in listed] == [("order", "(set)")]
    assert removed == {"removed": 1}
    assert calls(sim, collector) == []


def test_a_bad_setup_is_refused(sim: OngoingSim, collector: Collector) -> None:
    assert sim.admin.post("/_sim/webhooks", json={"url": "ftp://x", "family": "order"}).status_code == 400
    assert sim.admin.post("/_sim/webhooks", json={"url": collector.url(), "family": "stock"}).status_code == 400


def test_loss_applies_to_ongoing_deliveries_too(sim: OngoingSim, collector: Collector) -> None:
    set_up(sim, collector, "order")
    sim.admin.put("/_sim/webhooks/delivery", json={"lossRate": 1.0}).raise_for_status()

    sim.put_order("FJ-4", [("THERMOS-1L", 1)])
    log = sim.admin.get("/_sim/webhooks/deliveries", params={"waitSeconds": 5}).json()["data"]
    sim.admin.delete("/_sim/webhooks/delivery").raise_for_status()

    assert [e["outcome"] for e in log] == ["lost"] and collector.calls == []
