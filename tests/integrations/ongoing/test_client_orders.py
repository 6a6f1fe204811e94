"""The Ongoing client's order calls: upserts, lookups, paging filters, status and report PATCHes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import httpx
import pytest
import respx

from integrations.errors import UnexpectedResponse
from integrations.ongoing.client import OngoingClient
from integrations.ongoing.models import (
    CodeName,
    ConsigneeNotifications,
    ConsigneeWrite,
    LinePricesWrite,
    Notification,
    OrderLineWrite,
    OrderWrite,
    TransporterWrite,
    Vat,
)
from tests.integrations.ongoing.payloads import GOODS_OWNER_ID, ORDER_STATUSES_JSON, order_json

CREATED_MESSAGE = ("Customer with customer number 'C-5531' and ID '21628' created. <br/> <br/>"
                   "Order number SW-100234 created/updated")


def starweb_order() -> OrderWrite:
    email = Notification(to_be_notified=True, value="kund@example.se")
    return OrderWrite(
        order_number="SW-100234", goods_owner_order_id="100234", delivery_date=date(2026, 11, 12),
        consignee=ConsigneeWrite(customer_number="C-5531", name="Anna Andersson", address1="Storgatan 1",
                                 post_code="11122", city="Stockholm", country_code="SE",
                                 advanced=ConsigneeNotifications(email_notification=email)),
        way_of_delivery=CodeName(code="SCHENKER_PARCEL", name="DB Schenker parcel"),
        transporter=TransporterWrite(transporter_code="SBTL", transporter_service_code="BPA"),
        email_notification=email, customer_price=447.0, freight_price=49.0,
        order_lines=[OrderLineWrite(row_number="1", article_number="SOCK-MER-38", number_of_items=2,
                                    prices=LinePricesWrite(line_price=398.0, currency_code="SEK"),
                                    vat=Vat(code="25", percent=25.0))],
    )


async def test_put_order_sends_post_order_model_and_reports_creation(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.put("/orders").respond(201, json={"orderId": 50161, "message": CREATED_MESSAGE})

    result = await ongoing.put_order(starweb_order())

    assert (result.order_id, result.created, result.message) == (50161, True, CREATED_MESSAGE)
    body = json.loads(route.calls.last.request.content)
    assert body["goodsOwnerId"] == GOODS_OWNER_ID
    assert body["deliveryDate"] == "2026-11-12"
    assert body["transporter"] == {"transporterCode": "SBTL", "transporterServiceCode": "BPA"}
    assert body["consignee"]["postCode"] == "11122"
    assert body["consignee"]["advanced"] == {"emailNotification": {"toBeNotified": True, "value": "kund@example.se"}}
    assert body["orderLines"] == [{"rowNumber": "1", "articleNumber": "SOCK-MER-38", "numberOfItems": 2.0,
                                   "prices": {"linePrice": 398.0, "currencyCode": "SEK"},
                                   "vat": {"code": "25", "percent": 25.0}}]
    assert "orderRemark" not in body  # unset members are left out, not sent as null


async def test_put_order_answered_200_is_an_update(ongoing: OngoingClient, ongoing_api: respx.MockRouter) -> None:
    ongoing_api.put("/orders").respond(200, json={"orderId": 50161, "message": "Order number SW-100234 updated"})
    assert (await ongoing.put_order(starweb_order())).created is False


@pytest.mark.parametrize("body", [{"orderId": None, "message": "Something odd"}, {"message": "no id"}, []])
async def test_put_order_without_a_numeric_order_id_is_a_permanent_unexpected_response(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter, body: object
) -> None:
    route = ongoing_api.put("/orders").respond(200, json=body)

    with pytest.raises(UnexpectedResponse) as caught:
        await ongoing.put_order(starweb_order())

    assert route.call_count == 1
    error = caught.value
    assert not error.retryable
    assert error.endpoint == "PUT /orders"
    assert "orderId" in error.message and "look the object up" in error.message


async def test_get_order_reads_lines_parcels_tracking_and_transporter(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    ongoing_api.get("/orders/50163").respond(200, json=order_json(50163, "SW-100234", line_ids=(48838, 48839)))

    order = await ongoing.get_order(50163)

    assert (order.order_id, order.order_number, order.status_number) == (50163, "SW-100234", 450)
    info = order.order_info
    assert info.shipped_time == datetime(2026, 10, 10, 15, 5, 47, 127000, tzinfo=UTC)
    assert info.delivery_date == datetime(2026, 10, 10, tzinfo=UTC)
    assert info.way_bill == "UA65456546" and info.advanced is not None and info.advanced.back_order_info is None
    assert [line.id for line in order.order_lines] == [48838, 48839]
    line = order.order_lines[0]
    assert (line.picked_number_of_items, line.packed_number_of_items, line.reported_number_of_items) == (2.0, 2.0, None)
    assert line.picked_article_items[0].parcel is not None
    assert line.picked_article_items[0].parcel.parcel_number == "00376546546"
    assert [(p.parcel_number, p.is_return_parcel) for p in order.parcels] == [
        ("00376546546", False), ("00371231232", True)]
    assert [t.waybill for t in order.tracking] == ["UA65456546"]
    assert order.return_tracking == [] and order.classes == []
    assert order.transporter is not None
    assert (order.transporter.code, order.transporter.service_code) == ("SBTL", "BPA")


async def test_find_order_by_number_returns_none_for_an_empty_list(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/orders").respond(200, json=[])

    assert await ongoing.find_order_by_number("SW-404") is None
    params = route.calls.last.request.url.params
    assert (params["goodsOwnerId"], params["orderNumber"]) == (str(GOODS_OWNER_ID), "SW-404")


async def test_find_order_by_number_picks_the_matching_order(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    ongoing_api.get("/orders").respond(200, json=[order_json(50163, "SW-100234")])
    found = await ongoing.find_order_by_number("SW-100234")
    assert found is not None and found.order_id == 50163


async def test_iter_orders_sends_status_time_and_report_filters(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    route = ongoing_api.get("/orders").respond(200, json=[order_json(50163, "SW-1")])

    found = [o async for o in ongoing.iter_orders(
        order_numbers=["SW-1", "SW-2"], order_status_from=300, order_status_to=500,
        order_status_changed_time_from=datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
        only_orders_with_order_lines_to_report=True)]

    assert [o.order_number for o in found] == ["SW-1"]
    params = route.calls.last.request.url.params
    assert params.get_list("orderNumbers") == ["SW-1", "SW-2"]
    assert (params["orderStatusFrom"], params["orderStatusTo"]) == ("300", "500")
    assert params["orderStatusChangedTimeFrom"] == "2026-11-01T06:00:00.000+00:00"
    assert params["onlyOrdersWithOrderLinesToReport"] == "true"
    assert (params["orderIdFrom"], params["maxOrdersToGet"]) == ("1", "200")
    assert "shippedTimeFrom" not in params and "lastReturnedFrom" not in params


async def test_iter_orders_filters_by_creation_time(ongoing: OngoingClient, ongoing_api: respx.MockRouter) -> None:
    route = ongoing_api.get("/orders").respond(200, json=[])

    found = [o async for o in ongoing.iter_orders(order_created_time_from=datetime(2026, 11, 23, 5, 30, tzinfo=UTC),
                                                  order_created_time_to=datetime(2026, 11, 30, 5, 0, tzinfo=UTC))]

    assert found == []
    params = route.calls.last.request.url.params
    assert params["orderCreatedTimeFrom"] == "2026-11-23T05:30:00.000+00:00"
    assert params["orderCreatedTimeTo"] == "2026-11-30T05:00:00.000+00:00"


async def test_iter_orders_walks_three_pages_with_order_id_cursor(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    pages = {"1": [50001, 50002, 50004], "50005": [50005, 50006, 50009], "50010": []}
    route = ongoing_api.get("/orders").mock(side_effect=lambda request: httpx.Response(200, json=[
        order_json(i, f"SW-{i}") for i in pages[request.url.params["orderIdFrom"]]]))

    found = [o.order_id async for o in ongoing.iter_orders(page_size=3)]

    assert found == [50001, 50002, 50004, 50005, 50006, 50009]
    assert [c.request.url.params["orderIdFrom"] for c in route.calls] == ["1", "50005", "50010"]


async def test_status_and_report_patches_reach_the_right_paths(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    answer = {"orderId": 50163, "message": "ok"}
    status = ongoing_api.patch("/orders/50163/orderStatus").respond(200, json=answer)
    line = ongoing_api.patch("/orders/50163/lines/48838/reportedNumberOfItems").respond(200, json=answer)
    returned = ongoing_api.patch("/orders/50163/lines/48838/reportedReturnedNumberOfItems").respond(200, json=answer)
    all_picked = ongoing_api.patch("/orders/50163/setReportedNumberOfItemsToPickedNumberOfItems").respond(
        200, json=answer)

    assert (await ongoing.patch_order_status(50163, 300)).order_id == 50163
    await ongoing.patch_order_line_reported_number_of_items(50163, 48838, 2)
    await ongoing.patch_order_line_reported_returned_number_of_items(50163, 48838, 1)
    await ongoing.set_reported_to_picked(50163)

    assert json.loads(status.calls.last.request.content) == {"orderStatusNumber": 300}
    assert json.loads(line.calls.last.request.content) == {"reportedNumberOfItems": 2}
    assert json.loads(returned.calls.last.request.content) == {"reportedReturnedNumberOfItems": 1}
    assert all_picked.calls.last.request.content == b""


async def test_cancel_order_deletes_by_order_id(ongoing: OngoingClient, ongoing_api: respx.MockRouter) -> None:
    route = ongoing_api.delete("/orders/50163").respond(200, json={"orderId": 50163, "message": "Order cancelled"})
    result = await ongoing.cancel_order(50163)
    assert route.called and (result.order_id, result.message) == (50163, "Order cancelled")


async def test_list_order_statuses_unwraps_the_status_table(
    ongoing: OngoingClient, ongoing_api: respx.MockRouter
) -> None:
    ongoing_api.get("/orders/statuses").respond(200, json=ORDER_STATUSES_JSON)
    statuses = await ongoing.list_order_statuses()
    assert [(s.number, s.text) for s in statuses][:3] == [(150, "Fel"), (200, "Öppen"), (300, "Frisläppt")]
    assert len(statuses) == 8
