"""The warehouse side of the Ongoing simulator: bookings, picking, shipping in parts, reporting and
customer returns, as the vendor API then shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from integrations.ongoing.simulator import OngoingSimSettings

if TYPE_CHECKING:
    from tests.integrations.ongoing.sim_fixtures import OngoingSim

pytest_plugins = ["tests.integrations.ongoing.sim_fixtures"]


def numbers_to_report(sim: OngoingSim, **flag) -> list[str]:
    found = sim.api.get("/orders", params={"goodsOwnerId": sim.goods_owner_id, **flag}).json()
    return [o["orderInfo"]["orderNumber"] for o in found]


def test_sellable_is_physical_minus_what_open_orders_book(sim: OngoingSim) -> None:
    sim.put_order("FJ-1", [("SOCK-MER-42", 10)])
    sim.put_order("FJ-2", [("SOCK-MER-42", 5), ("THERMOS-1L", 1)])
    sim.put_order("FJ-3", [("SOCK-MER-42", 20)])
    socks = sim.inventory("SOCK-MER-42")
    assert (socks["numberOfItems"], socks["numberOfBookedItems"], socks["sellableNumberOfItems"]) == (150, 35, 115)


def test_picking_and_shipping_take_stock_out_and_release_the_booking(sim: OngoingSim) -> None:
    sim.put_order("FJ-1", [("THERMOS-1L", 2), ("TENT-FJ2", 1)])
    sim.put_order("FJ-2", [("THERMOS-1L", 3)])
    picked = sim.warehouse("orders/FJ-1/pick")
    assert picked["orderInfo"]["orderStatus"]["number"] == 400
    assert [line["pickedNumberOfItems"] for line in picked["orderLines"]] == [2, 1]
    thermos = sim.inventory("THERMOS-1L")
    # Picked units are still in the house: physical unchanged, but allocated and no longer sellable.
    assert (thermos["numberOfItems"], thermos["numberOfBookedItems"], thermos["allocatedNumberOfItems"],
            thermos["pickedToBeCollectedNumberOfItems"], thermos["sellableNumberOfItems"]) == (30, 3, 2, 2, 25)

    shipped = sim.warehouse("orders/FJ-1/ship", {"waybill": "00370000001", "trackingUrl": "https://t.example/1",
                                                 "parcels": [{"parcelNumber": "K1", "weight": 2.9}]})
    info = shipped["orderInfo"]
    assert info["orderStatus"]["number"] == 450 and info["shippedTime"] and info["wayBill"] == "00370000001"
    assert shipped["tracking"][0]["waybill"] == "00370000001"
    assert shipped["parcels"][0]["parcelNumber"] == "K1"
    assert all(item["parcel"]["parcelNumber"] == "K1" for item in shipped["orderLines"][0]["pickedArticleItems"])
    thermos = sim.inventory("THERMOS-1L")
    assert (thermos["numberOfItems"], thermos["numberOfBookedItems"], thermos["allocatedNumberOfItems"],
            thermos["sellableNumberOfItems"]) == (28, 3, 0, 25)
    assert sim.inventory("TENT-FJ2")["numberOfItems"] == 5


def test_a_partial_shipment_then_a_second_one_for_the_rest(sim: OngoingSim) -> None:
    order_id = sim.put_order("FJ-1", [("POLE-CF-120", 3), ("HEADLAMP-400", 1)]).json()["orderId"]
    first = sim.warehouse("orders/FJ-1/ship", {"lines": [{"rowNumber": "1", "numberOfItems": 2}], "waybill": "W1"})
    assert first["orderInfo"]["orderStatus"]["number"] == 450
    assert [(line["pickedNumberOfItems"], line["packedNumberOfItems"]) for line in first["orderLines"]] == [
        (2, 2), (0, 0)]
    second = sim.warehouse("orders/FJ-1/ship", {"lines": [{"rowNumber": "1", "numberOfItems": 1},
                                                          {"rowNumber": "2", "numberOfItems": 1}], "waybill": "W2"})
    assert [(line["pickedNumberOfItems"], line["packedNumberOfItems"]) for line in second["orderLines"]] == [
        (3, 3), (1, 1)]
    assert [t["waybill"] for t in sim.order(order_id)["tracking"]] == ["W1", "W2"]
    assert second["orderInfo"]["wayBill"] == "W2"
    assert sim.inventory("POLE-CF-120")["numberOfItems"] == 37
    assert sim.inventory("HEADLAMP-400")["numberOfItems"] == 2
    nothing_left = sim.admin.post("/_sim/orders/FJ-1/ship", json={})
    assert nothing_left.status_code == 400


def test_picks_beyond_the_order_or_the_shelf_are_refused(sim: OngoingSim) -> None:
    sim.put_order("FJ-1", [("HEADLAMP-400", 5)])
    over_order = sim.admin.post("/_sim/orders/FJ-1/pick", json={"lines": [{"rowNumber": "1", "numberOfItems": 6}]})
    over_shelf = sim.admin.post("/_sim/orders/FJ-1/pick", json={"lines": [{"rowNumber": "1", "numberOfItems": 4}]})
    assert over_order.status_code == 400 and "ordered 5" in over_order.json()["Message"]
    assert over_shelf.status_code == 400 and "only 3 on the shelf" in over_shelf.json()["Message"]
    short = sim.warehouse("orders/FJ-1/pick")  # no body: pick what the shelf has
    assert short["orderLines"][0]["pickedNumberOfItems"] == 3


def test_picking_everything_shares_a_scarce_shelf_between_lines(sim: OngoingSim) -> None:
    sim.put_order("FJ-1", [("HEADLAMP-400", 2), ("HEADLAMP-400", 2)])
    picked = sim.warehouse("orders/FJ-1/pick")
    assert [line["pickedNumberOfItems"] for line in picked["orderLines"]] == [2, 1]
    assert sim.admin.post("/_sim/orders/FJ-1/pick").status_code == 400  # the shelf is empty now


def test_orders_with_lines_to_report_until_the_integration_reports_them(sim: OngoingSim) -> None:
    first_id = sim.put_order("FJ-1", [("THERMOS-1L", 1), ("TENT-FJ2", 1)]).json()["orderId"]
    second_id = sim.put_order("FJ-2", [("THERMOS-1L", 1)]).json()["orderId"]
    for number in ("FJ-1", "FJ-2"):
        sim.warehouse(f"orders/{number}/pick")
        sim.warehouse(f"orders/{number}/ship")
    flag = {"onlyOrdersWithOrderLinesToReport": "true"}
    assert numbers_to_report(sim, **flag) == ["FJ-1", "FJ-2"]
    assert sim.inventory("THERMOS-1L")["reported"]["pickedToBeReportedNumberOfItems"] == 2

    first_lines = sim.order(first_id)["orderLines"]
    sim.api.patch(f"/orders/{first_id}/lines/{first_lines[0]['id']}/reportedNumberOfItems",
                  json={"reportedNumberOfItems": 1}).raise_for_status()
    assert numbers_to_report(sim, **flag) == ["FJ-1", "FJ-2"]  # one line of FJ-1 still unreported
    sim.api.patch(f"/orders/{first_id}/lines/{first_lines[1]['id']}/reportedNumberOfItems",
                  json={"reportedNumberOfItems": 1}).raise_for_status()
    assert numbers_to_report(sim, **flag) == ["FJ-2"]
    sim.api.patch(f"/orders/{second_id}/setReportedNumberOfItemsToPickedNumberOfItems").raise_for_status()
    assert numbers_to_report(sim, **flag) == []
    assert sim.order(second_id)["orderLines"][0]["reportedNumberOfItems"] == 1
    assert sim.inventory("THERMOS-1L")["reported"]["pickedToBeReportedNumberOfItems"] == 0
    unknown_line = sim.api.patch(f"/orders/{first_id}/lines/1/reportedNumberOfItems", json={"reportedNumberOfItems": 1})
    assert unknown_line.status_code == 404


def test_a_return_restocks_and_marks_the_picked_items(sim: OngoingSim) -> None:
    order_id = sim.put_order("FJ-1", [("SOCK-MER-38", 3)]).json()["orderId"]
    sim.warehouse("orders/FJ-1/pick")
    sim.warehouse("orders/FJ-1/ship")
    assert sim.inventory("SOCK-MER-38")["numberOfItems"] == 117
    returned = sim.warehouse("orders/FJ-1/return", {"lines": [{"rowNumber": "1", "numberOfItems": 1}],
                                                    "cause": "REGRET"})
    line = returned["orderLines"][0]
    assert line["returnedNumberOfItems"] == 1
    back = [item for item in line["pickedArticleItems"] if item["isReturned"]]
    assert [(item["numberOfItems"], item["returnCause"]) for item in back] == [(1, {"code": "REGRET",
                                                                                   "name": "Ångerköp"})]
    assert sum(item["numberOfItems"] for item in line["pickedArticleItems"]) == 3
    assert returned["orderInfo"]["orderStatus"]["number"] == 450  # not everything came back
    assert sim.inventory("SOCK-MER-38")["numberOfItems"] == 118
    assert numbers_to_report(sim, onlyOrdersWithOrderLinesToReportReturned="true") == ["FJ-1"]
    assert numbers_to_report(sim, lastReturnedFrom=returned["orderInfo"]["shippedTime"]) == ["FJ-1"]

    sim.warehouse("orders/FJ-1/return", {"cause": "WRONGSIZE"})  # the rest
    assert sim.order(order_id)["orderInfo"]["orderStatus"]["number"] == 800
    assert sim.inventory("SOCK-MER-38")["numberOfItems"] == 120
    sim.api.patch(f"/orders/{order_id}/setReportedReturnedNumberOfItemsToReturnedNumberOfItems").raise_for_status()
    assert numbers_to_report(sim, onlyOrdersWithOrderLinesToReportReturned="true") == []


def test_a_return_with_a_remove_cause_does_not_restock(sim: OngoingSim) -> None:
    sim.put_order("FJ-1", [("THERMOS-1L", 2)])
    sim.warehouse("orders/FJ-1/ship", {"lines": [{"rowNumber": "1", "numberOfItems": 2}]})
    sim.warehouse("orders/FJ-1/return", {"lines": [{"rowNumber": "1", "numberOfItems": 2}], "cause": "COMPLAINT"})
    assert sim.inventory("THERMOS-1L")["numberOfItems"] == 28
    too_many = sim.admin.post("/_sim/orders/FJ-1/return", json={"lines": [{"rowNumber": "1", "numberOfItems": 1}]})
    unknown_cause = sim.admin.post("/_sim/orders/FJ-1/return", json={"cause": "LOST"})
    assert too_many.status_code == 400 and unknown_cause.status_code == 400


ONE = [{"rowNumber": "1", "numberOfItems": 1}]


def test_an_order_can_reach_sent_before_its_waybill_exists(sim: OngoingSim) -> None:
    order_id = sim.put_order("FJ-1", [("THERMOS-1L", 1)]).json()["orderId"]
    shipped = sim.warehouse("orders/FJ-1/ship", {"withWaybill": False, "lines": ONE})
    info = shipped["orderInfo"]
    assert (info["orderStatus"]["number"], info["wayBill"], shipped["tracking"]) == (450, None, None)
    assert info["shippedTime"], "sent, only the shipping platform has not made its waybill yet"

    later = sim.warehouse("orders/FJ-1/waybill", {"waybill": "00370000099", "trackingUrl": "https://t.example/99"})
    assert later["orderInfo"]["wayBill"] == "00370000099"
    assert [(t["waybill"], t["trackingUrl"]) for t in sim.order(order_id)["tracking"]] == [
        ("00370000099", "https://t.example/99")]


def test_the_waybill_timing_is_a_setting_and_an_unshipped_order_has_nothing_to_track(start_ongoing_sim) -> None:
    with start_ongoing_sim(OngoingSimSettings(waybill_on_shipping=False)) as late:
        late.reset()
        late.put_order("FJ-1", [("THERMOS-1L", 1)])
        late.put_order("FJ-2", [("THERMOS-1L", 1)])
        assert late.warehouse("orders/FJ-1/ship", {"lines": ONE})["orderInfo"]["wayBill"] is None
        assert late.warehouse("orders/FJ-1/waybill")["orderInfo"]["wayBill"].startswith("SIM"), "generated"
        refused = late.admin.post("/_sim/orders/FJ-2/waybill", json={"waybill": "X"})
        assert refused.status_code == 400 and "has not been shipped" in refused.json()["Message"]
