"""Outbound orders in the Ongoing simulator: upsert, lines by row number, the work-started lock,
cancellation, id-cursor paging, filters and status changes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from integrations.ongoing.simulator import OngoingSimSettings

if TYPE_CHECKING:
    from tests.integrations.ongoing.sim_fixtures import OngoingSim

pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]


def after_a_tick() -> str:
    """A time strictly after everything so far: the simulator compares times at millisecond precision."""
    time.sleep(0.005)
    return datetime.now(UTC).isoformat()


def orders(sim: OngoingSim, **params) -> list[dict]:
    response = sim.api.get("/orders", params={"goodsOwnerId": sim.goods_owner_id, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_order_is_created_with_201_then_updated_with_200_under_the_same_id(sim: OngoingSim) -> None:
    created = sim.put_order("FJ-1", [("THERMOS-1L", 2)])
    updated = sim.put_order("FJ-1", [("THERMOS-1L", 3)], orderRemark="Lämna vid dörren")
    assert (created.status_code, updated.status_code) == (201, 200)
    assert created.json()["orderId"] == updated.json()["orderId"]
    assert "Order number FJ-1 created/updated" in updated.json()["message"]
    order = sim.order(created.json()["orderId"])
    assert order["orderInfo"]["orderStatus"] == {"number": 200, "text": "Öppen"}
    assert order["orderInfo"]["orderRemark"] == "Lämna vid dörren"
    assert order["orderLines"][0]["orderedNumberOfItems"] == 3
    assert len(orders(sim, orderNumber="FJ-1")) == 1


def test_a_new_order_shows_nulls_for_what_it_does_not_have_yet(sim: OngoingSim) -> None:
    order = sim.order(sim.put_order("FJ-1", [("THERMOS-1L", 1)]).json()["orderId"])
    assert order["tracking"] is None and order["parcels"] is None and order["returnTracking"] is None
    assert order["orderInfo"]["shippedTime"] is None and order["orderInfo"]["wayBill"] is None
    (line,) = order["orderLines"]
    assert line["reportedNumberOfItems"] is None and line["pickedArticleItems"] is None
    assert line["article"]["articleNumber"] == "THERMOS-1L" and line["article"]["articleName"] == "Termos 1 L stål"


def test_lines_are_matched_by_row_number_added_and_removed(sim: OngoingSim) -> None:
    sim.admin.patch("/_sim/settings", json={"omittedOrderLines": "removed"}).raise_for_status()
    order_id = sim.put_order("FJ-1", [("THERMOS-1L", 1), ("TENT-FJ2", 1)]).json()["orderId"]
    first_ids = {line["rowNumber"]: line["id"] for line in sim.order(order_id)["orderLines"]}
    body = sim.order_body("FJ-1", [])
    body["orderLines"] = [{"rowNumber": "1", "articleNumber": "THERMOS-1L", "numberOfItems": 4},
                          {"rowNumber": "3", "articleNumber": "HEADLAMP-400", "numberOfItems": 1}]
    assert sim.api.put("/orders", json=body).status_code == 200
    lines = {line["rowNumber"]: line for line in sim.order(order_id)["orderLines"]}
    assert set(lines) == {"1", "3"}
    assert lines["1"]["id"] == first_ids["1"] and lines["1"]["orderedNumberOfItems"] == 4
    assert lines["3"]["id"] not in first_ids.values()
    assert sim.inventory("TENT-FJ2")["numberOfBookedItems"] == 0


def test_a_warehouse_that_keeps_omitted_rows_keeps_them_until_they_are_set_to_zero(sim: OngoingSim) -> None:
    assert sim.admin.patch("/_sim/settings", json={"omittedOrderLines": "kept"}).json() == {
        "omittedOrderLines": "kept", "zeroQuantityLines": "accepted"}
    order_id = sim.put_order("FJ-1", [("THERMOS-1L", 1), ("TENT-FJ2", 1)]).json()["orderId"]
    assert sim.put_order("FJ-1", [("THERMOS-1L", 2)]).status_code == 200
    lines = {line["rowNumber"]: line["orderedNumberOfItems"] for line in sim.order(order_id)["orderLines"]}
    assert lines == {"1": 2, "2": 1}, "row 2 was left out of the update but is still there"
    assert sim.inventory("TENT-FJ2")["numberOfBookedItems"] == 1

    body = sim.order_body("FJ-1", [("THERMOS-1L", 2), ("TENT-FJ2", 0)])
    assert sim.api.put("/orders", json=body).status_code == 200
    lines = {line["rowNumber"]: line["orderedNumberOfItems"] for line in sim.order(order_id)["orderLines"]}
    assert lines == {"1": 2, "2": 0}
    assert sim.inventory("TENT-FJ2")["numberOfBookedItems"] == 0


def test_a_warehouse_that_refuses_zero_rows_says_which_row_and_writes_nothing(sim: OngoingSim) -> None:
    sim.admin.patch("/_sim/settings", json={"zeroQuantityLines": "refused"}).raise_for_status()
    order_id = sim.put_order("FJ-1", [("THERMOS-1L", 1), ("TENT-FJ2", 1)]).json()["orderId"]
    refused = sim.api.put("/orders", json=sim.order_body("FJ-1", [("THERMOS-1L", 3), ("TENT-FJ2", 0)]))
    assert refused.status_code == 400
    assert refused.json()["Message"] == "The number of items on row '2' of order FJ-1 must be greater than 0."
    lines = {line["rowNumber"]: line["orderedNumberOfItems"] for line in sim.order(order_id)["orderLines"]}
    assert lines == {"1": 1, "2": 1}


def test_switched_behaviours_are_checked_and_go_back_to_their_start_up_values_on_reset(sim: OngoingSim) -> None:
    at_start = sim.admin.get("/_sim/settings").json()
    assert at_start == {"omittedOrderLines": sim.settings.omitted_order_lines,
                        "zeroQuantityLines": sim.settings.zero_quantity_lines}
    refused = sim.admin.patch("/_sim/settings", json={"omittedOrderLines": "sometimes"})
    assert refused.status_code == 400 and "omittedOrderLines" in refused.json()["Message"]
    assert sim.admin.patch("/_sim/settings", json={"warehouse": "other"}).status_code == 400
    sim.admin.patch("/_sim/settings", json={"omittedOrderLines": "kept", "zeroQuantityLines": "refused"}
                    ).raise_for_status()
    sim.reset()
    assert sim.admin.get("/_sim/settings").json() == at_start


def test_an_unknown_article_is_refused_naming_it_and_nothing_is_created(sim: OngoingSim) -> None:
    response = sim.put_order("FJ-1", [("THERMOS-1L", 1), ("NO-SUCH-SKU", 1)])
    assert response.status_code == 400
    assert "NO-SUCH-SKU" in response.json()["Message"]
    assert orders(sim) == []


def test_an_unknown_transporter_is_refused(sim: OngoingSim) -> None:
    bad = sim.put_order("FJ-1", [("THERMOS-1L", 1)], transporter={"transporterCode": "DHL"})
    good = sim.put_order("FJ-1", [("THERMOS-1L", 1)],
                         transporter={"transporterCode": "PLAB", "transporterServiceCode": "P19"})
    assert bad.status_code == 400 and "DHL" in bad.json()["Message"]
    transporter = sim.order(good.json()["orderId"])["transporter"]
    assert transporter["code"] == "PLAB" and transporter["serviceCode"] == "P19"
    assert transporter["transporterName"] == "PostNord Sverige AB" and transporter["name"] == "PostNord MyPack Collect"
    sim.put_order("FJ-1", [("THERMOS-1L", 2)])  # an update that leaves the transporter out keeps it
    assert sim.order(good.json()["orderId"])["transporter"]["serviceCode"] == "P19"


def test_once_work_has_started_updates_and_cancellation_are_refused(sim: OngoingSim) -> None:
    order_id = sim.put_order("FJ-1", [("THERMOS-1L", 1)]).json()["orderId"]
    sim.warehouse("orders/FJ-1/status", {"orderStatusNumber": 300})
    update = sim.put_order("FJ-1", [("THERMOS-1L", 5)])
    by_id = sim.api.delete(f"/orders/{order_id}")
    by_number = sim.api.delete("/orders", params={"goodsOwnerId": sim.goods_owner_id, "orderNumber": "FJ-1"})
    for refused in (update, by_id, by_number):
        assert refused.status_code == 400
        assert "started working" in refused.json()["Message"]
    assert sim.order(order_id)["orderLines"][0]["orderedNumberOfItems"] == 1


def test_cancelling_before_work_starts_sets_1000_and_releases_the_booking(sim: OngoingSim) -> None:
    order_id = sim.put_order("FJ-1", [("TENT-FJ2", 2)]).json()["orderId"]
    assert sim.inventory("TENT-FJ2")["sellableNumberOfItems"] == 4
    response = sim.api.delete(f"/orders/{order_id}")
    assert response.status_code == 200 and response.json()["orderId"] == order_id
    assert sim.order(order_id)["orderInfo"]["orderStatus"]["number"] == 1000
    assert sim.inventory("TENT-FJ2")["sellableNumberOfItems"] == 6
    again = sim.api.delete("/orders", params={"goodsOwnerId": sim.goods_owner_id, "orderNumber": "FJ-1"})
    assert again.status_code == 400 and "already cancelled" in again.json()["Message"]


def test_orders_page_by_order_id_cursor_and_return_everything_without_a_max(sim: OngoingSim) -> None:
    ids = [sim.put_order(f"FJ-{n}", [("SOCK-MER-42", 1)]).json()["orderId"] for n in range(5)]
    first = orders(sim, orderIdFrom=0, maxOrdersToGet=2)
    second = orders(sim, orderIdFrom=first[-1]["orderInfo"]["orderId"] + 1, maxOrdersToGet=2)
    third = orders(sim, orderIdFrom=second[-1]["orderInfo"]["orderId"] + 1, maxOrdersToGet=2)
    paged = [o["orderInfo"]["orderId"] for o in first + second + third]
    assert paged == ids and len(third) == 1
    assert [o["orderInfo"]["orderId"] for o in orders(sim)] == ids


def test_order_numbers_are_repeated_keys(sim: OngoingSim) -> None:
    for number in ("FJ-1", "FJ-2", "FJ-3"):
        sim.put_order(number, [("SOCK-MER-42", 1)])
    found = orders(sim, orderNumbers=["FJ-1", "FJ-3"])
    assert [o["orderInfo"]["orderNumber"] for o in found] == ["FJ-1", "FJ-3"]
    assert orders(sim, orderNumbers="FJ-1,FJ-3") == []


def test_order_updated_time_from_older_than_two_days_is_refused(sim: OngoingSim) -> None:
    too_old = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    response = sim.api.get("/orders", params={"goodsOwnerId": sim.goods_owner_id, "orderUpdatedTimeFrom": too_old})
    assert response.status_code == 400 and "orderUpdatedTimeFrom" in response.json()["Message"]


def test_status_filters_follow_status_changes(sim: OngoingSim) -> None:
    sim.put_order("FJ-1", [("SOCK-MER-42", 1)])
    sim.put_order("FJ-2", [("SOCK-MER-42", 1)])
    mark = after_a_tick()
    sim.warehouse("orders/FJ-2/status", {"orderStatusNumber": 300})
    changed = orders(sim, orderStatusChangedTimeFrom=mark)
    assert [o["orderInfo"]["orderNumber"] for o in changed] == ["FJ-2"]
    assert [o["orderInfo"]["orderNumber"] for o in orders(sim, orderStatusFrom=300, orderStatusTo=400)] == ["FJ-2"]
    assert [o["orderInfo"]["orderNumber"] for o in orders(sim, orderStatusTo=299)] == ["FJ-1"]


def test_status_patch_uses_the_warehouse_table_and_never_reopens_a_sent_order(sim: OngoingSim) -> None:
    order_id = sim.put_order("FJ-1", [("SOCK-MER-42", 1)]).json()["orderId"]
    ok = sim.api.patch(f"/orders/{order_id}/orderStatus", json={"orderStatusNumber": 211})
    unknown = sim.api.patch(f"/orders/{order_id}/orderStatus", json={"orderStatusNumber": 999})
    assert ok.status_code == 200 and ok.json()["orderId"] == order_id
    assert sim.order(order_id)["orderInfo"]["orderStatus"] == {"number": 211, "text": "Öppen-Restad"}
    assert unknown.status_code == 400 and "999" in unknown.json()["Message"]
    sim.warehouse("orders/FJ-1/ship", {"lines": [{"rowNumber": "1", "numberOfItems": 1}]})
    reopen = sim.api.patch(f"/orders/{order_id}/orderStatus", json={"orderStatusNumber": 200})
    assert reopen.status_code == 400
    assert sim.order(order_id)["orderInfo"]["orderStatus"]["number"] == 450


def test_header_patches_and_tracking_show_on_the_order(sim: OngoingSim) -> None:
    order_id = sim.put_order("FJ-1", [("SOCK-MER-42", 1)]).json()["orderId"]
    base = f"/orders/{order_id}"
    assert sim.api.patch(f"{base}/orderRemark", json={"orderRemark": "Ring först"}).status_code == 200
    assert sim.api.patch(f"{base}/deliveryDate", json={"deliveryDate": "2026-12-24"}).status_code == 200
    assert sim.api.patch(f"{base}/waybill", json={"waybill": "WB1"}).status_code == 200
    assert sim.api.patch(f"{base}/transporter",
                         json={"transporterCode": "SBTL", "transporterServiceCode": "BPA"}).status_code == 200
    tracking = sim.api.put(f"{base}/orderTracking", json={
        "waybill": "WB1", "trackingUrl": "https://track.example/WB1", "isReturnTracking": False})
    assert tracking.json()["success"] is True
    order = sim.order(order_id)
    assert order["orderInfo"]["orderRemark"] == "Ring först"
    assert order["orderInfo"]["deliveryDate"] == "2026-12-24"
    assert order["orderInfo"]["wayBill"] == "WB1"
    assert order["transporter"]["name"] == "DB SCHENKERparcel"
    assert [(t["waybill"], t["trackingUrl"]) for t in order["tracking"]] == [("WB1", "https://track.example/WB1")]


def test_order_statuses_list_the_demo_warehouse_table_in_english_when_configured(start_ongoing_sim) -> None:
    with start_ongoing_sim(OngoingSimSettings(language="en")) as english:
        english.reset(articles=False)
        statuses = english.api.get("/orders/statuses").json()["orderStatuses"]
    assert {"number": 210, "text": "Open-OK"} in statuses and {"number": 1000, "text": "Cancelled"} in statuses


def test_unknown_orders_are_not_found(sim: OngoingSim) -> None:
    assert sim.api.get("/orders/1").status_code == 404
    assert sim.api.delete("/orders", params={"goodsOwnerId": sim.goods_owner_id, "orderNumber": "X"}).status_code == 404
    assert sim.api.patch("/orders/1/orderStatus", json={"orderStatusNumber": 300}).status_code == 404
