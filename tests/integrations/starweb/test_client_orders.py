"""Orders through the Starweb client: filters and includes sent, pages walked, bodies written as Starweb wants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest
import respx

from integrations.errors import UnexpectedResponse
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import (
    Address,
    AddressType,
    OrderAddresses,
    OrderCreate,
    OrderItemWrite,
    OrderPatch,
)
from integrations.starweb.pagination import UnreadableRecord
from tests.integrations.starweb import payloads
from tests.integrations.starweb.conftest import sent_json

CET_SUMMER = timezone(timedelta(hours=2))


def orders_page(ids: range, number: int, total: int) -> httpx.Response:
    return httpx.Response(200, json=payloads.page([payloads.order(i) for i in ids], number, total))


async def test_list_orders_page_sends_filters_sort_and_include(starweb: respx.MockRouter,
                                                               client: StarwebClient) -> None:
    route = starweb.get("/orders").respond(json=payloads.page([payloads.order(101, with_includes=True)], 2, 101))

    page = await client.list_orders_page(
        2, status_id=3, created_after=datetime(2024, 5, 2, 10, 15, tzinfo=CET_SUMMER),
        created_before=datetime(2024, 5, 3, tzinfo=UTC), sort_by="modifiedAt",
        include_non_complete_payments=True, shipping_method_id=4)

    assert dict(route.calls.last.request.url.params) == {
        "page": "2", "sortBy": "modifiedAt", "sortOrder": "DESC", "include": "items,addresses",
        "statusFilter": "3", "ordersCreatedAfter": "2024-05-02T10:15:00+02:00",
        "ordersCreatedBefore": "2024-05-03T00:00:00+00:00", "includeNonCompletePayments": "true",
        "filterShippingMethodId": "4"}
    assert page.number == 2 and page.total_pages == 2 and page.is_last
    assert [order.order_id for order in page.items] == [101]


async def test_a_creation_bound_with_a_fraction_of_a_second_is_widened_to_whole_seconds(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.get("/orders").respond(json=payloads.page([], 1, 0))

    await client.list_orders_page(created_after=datetime(2024, 5, 2, 10, 15, 7, 900_000, tzinfo=UTC),
                                  created_before=datetime(2024, 5, 3, 8, 0, 59, 100_000, tzinfo=UTC))

    params = route.calls.last.request.url.params
    assert params["ordersCreatedAfter"] == "2024-05-02T10:15:07+00:00"
    assert params["ordersCreatedBefore"] == "2024-05-03T08:01:00+00:00"


async def test_default_order_listing_asks_for_items_and_addresses_newest_first(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.get("/orders").respond(json=payloads.page([], 1, 0))

    page = await client.list_orders_page()

    assert dict(route.calls.last.request.url.params) == {
        "page": "1", "sortBy": "orderId", "sortOrder": "DESC", "include": "items,addresses"}
    assert page.items == [] and page.is_last


async def test_naive_timestamps_are_refused_before_anything_is_sent(starweb: respx.MockRouter,
                                                                    client: StarwebClient) -> None:
    route = starweb.get("/orders").respond(json=payloads.page([], 1, 0))

    with pytest.raises(ValueError, match="offset"):
        await client.list_orders_page(created_after=datetime(2024, 5, 2, 10, 15))

    assert route.call_count == 0


async def test_included_children_are_unwrapped_into_the_order(starweb: respx.MockRouter,
                                                              client: StarwebClient) -> None:
    route = starweb.get("/orders/101").respond(json=payloads.item(payloads.order(101, with_includes=True)))

    order = await client.get_order(101)

    assert route.calls.last.request.url.params["include"] == "items,addresses,status"
    assert order.created_at == datetime(2024, 5, 2, 8, 15, tzinfo=UTC)
    assert (order.total_amount, order.total_vat, order.amount_to_pay) == (
        Decimal("622.4"), Decimal("155.6"), Decimal("778"))
    assert [(item.sku, item.quantity, item.unit_price) for item in order.items or []] == [
        ("POLE-CF-120", 2, Decimal("311.2")), ("TENT-2P", 1, Decimal("311.2"))]
    assert order.addresses is not None
    delivery = order.addresses.get(AddressType.ORIGINAL_DELIVERY)
    assert delivery is not None and (delivery.address, delivery.city) == ("Hamngatan 3", "Lund")
    assert order.addresses.get("paymentMethodDelivery") is None
    assert order.status is not None
    assert (order.status.id_code, order.status.name, order.status.name_in("en")) == (
        "created", "Mottagen", "Mottagen (en)")


async def test_an_order_without_includes_leaves_them_unset_rather_than_empty(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.get("/orders/101").respond(json=payloads.item(payloads.order(101, unknownNewField={"x": 1})))

    order = await client.get_order(101, include=())

    assert "include" not in route.calls.last.request.url.params
    assert (order.items, order.addresses, order.status) == (None, None, None)


async def test_iter_orders_walks_every_page_to_the_last(starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.get("/orders").mock(side_effect=[
        orders_page(range(250, 150, -1), 1, 250), orders_page(range(150, 50, -1), 2, 250),
        orders_page(range(50, 0, -1), 3, 250)])

    ids = [order.order_id async for order in client.iter_orders(status_id=2)]

    assert ids == list(range(250, 0, -1))
    assert [call.request.url.params["page"] for call in route.calls] == ["1", "2", "3"]
    assert {call.request.url.params["statusFilter"] for call in route.calls} == {"2"}


async def test_an_order_pushed_onto_the_next_page_is_yielded_once(starweb: respx.MockRouter,
                                                                   client: StarwebClient) -> None:
    # A new order arrived between the two requests, so order 151 moved from page 1 to page 2.
    starweb.get("/orders").mock(side_effect=[orders_page(range(250, 150, -1), 1, 250),
                                             orders_page(range(151, 51, -1), 2, 251),
                                             orders_page(range(51, 0, -1), 3, 251)])

    ids = [order.order_id async for order in client.iter_orders()]

    assert ids == list(range(250, 0, -1))


async def test_paging_stops_with_an_error_when_starweb_does_not_advance(starweb: respx.MockRouter,
                                                                        client: StarwebClient) -> None:
    route = starweb.get("/orders").mock(return_value=orders_page(range(250, 150, -1), 1, 250))

    with pytest.raises(UnexpectedResponse) as caught:
        _ = [order async for order in client.iter_orders()]

    assert route.call_count == 2
    assert caught.value.endpoint == "GET /orders"
    assert "asked for page 2" in str(caught.value)


async def test_create_order_sends_rows_addresses_and_the_email_flag_inline(starweb: respx.MockRouter,
                                                                           client: StarwebClient) -> None:
    route = starweb.post("/orders").respond(201, json=payloads.item(payloads.order(1001)))
    new_order = OrderCreate(
        status_id=1, currency_code="SEK", lang_code="sv", shipping_method_id=3, shipping_cost=Decimal("49"),
        original_customer_email="karin.lindqvist@example.se", on_order_status_change_send_email=False,
        created_at=datetime(2024, 5, 2, 10, 15, tzinfo=CET_SUMMER),
        items=[OrderItemWrite(sku="POLE-CF-120", description="Vandringsstav", quantity=2,
                              unit_price=Decimal("311.20"), vat_rate=Decimal("25"))],
        addresses=OrderAddresses(original_delivery=Address(first_name="Karin", last_name="Lindqvist",
                                                           address="Hamngatan 3", postal_code="222 22",
                                                           city="Lund", country_code="SE")),
    )

    created = await client.create_order(new_order)

    assert created.order_id == 1001
    assert sent_json(route) == {
        "statusId": 1, "currencyCode": "SEK", "langCode": "sv", "shippingMethodId": 3, "shippingCost": 49.0,
        "originalCustomerEmail": "karin.lindqvist@example.se", "onOrderStatusChangeSendEmail": False,
        "createdAt": "2024-05-02T10:15:00+02:00",
        "items": [{"sku": "POLE-CF-120", "description": "Vandringsstav", "quantity": 2, "unitPrice": 311.2,
                   "vatRate": 25.0}],
        "addresses": {"originalDelivery": {"firstName": "Karin", "lastName": "Lindqvist", "address": "Hamngatan 3",
                                           "postalCode": "222 22", "city": "Lund", "countryCode": "SE"}},
    }


async def test_patch_order_sends_only_the_fields_set(starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.patch("/orders/101").respond(json=payloads.item(payloads.order(
        101, statusId=3, shippingTrackingNo="00370712345678901234", shippingTrackerType=1)))

    updated = await client.patch_order(101, OrderPatch(
        status_id=3, shipping_tracking_no="00370712345678901234", shipping_tracker_type=1,
        on_order_status_change_send_email=True, on_order_status_change_process_payment=False))

    assert sent_json(route) == {"statusId": 3, "shippingTrackingNo": "00370712345678901234",
                                "shippingTrackerType": 1, "onOrderStatusChangeSendEmail": True,
                                "onOrderStatusChangeProcessPayment": False}
    assert (updated.status_id, updated.shipping_tracking_no) == (3, "00370712345678901234")


def test_a_misspelt_patch_field_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="statusid"):
        OrderPatch(statusid=3)  # type: ignore[call-arg]


async def test_order_rows_can_be_listed_added_changed_and_removed(starweb: respx.MockRouter,
                                                                  client: StarwebClient) -> None:
    starweb.get("/orders/101/items").respond(json=payloads.collection([payloads.order_item(1),
                                                                       payloads.order_item(2, sku="TENT-2P")]))
    added = starweb.post("/orders/101/items").respond(201, json=payloads.item(payloads.order_item(3, sku="CUP")))
    changed = starweb.patch("/orders/101/items/1").respond(json=payloads.item(payloads.order_item(1, quantity=1)))
    removed = starweb.delete("/orders/101/items/2").respond(204)

    rows = await client.list_order_items(101)
    new_row = await client.create_order_item(101, OrderItemWrite(sku="CUP", quantity=1, unit_price=Decimal("80")))
    row = await client.patch_order_item(101, 1, OrderItemWrite(quantity=1))
    await client.delete_order_item(101, 2)

    assert [r.sku for r in rows] == ["POLE-CF-120", "TENT-2P"]
    assert sent_json(added) == {"sku": "CUP", "quantity": 1, "unitPrice": 80.0}
    assert new_row.item_id == 3
    assert sent_json(changed) == {"quantity": 1}
    assert row.quantity == 1
    assert removed.call_count == 1


async def test_comments_are_read_with_their_author_and_added_as_text(starweb: respx.MockRouter,
                                                                      client: StarwebClient) -> None:
    starweb.get("/orders/101/comments").respond(json=payloads.collection([payloads.comment(1)]))
    added = starweb.post("/orders/101/comments").respond(
        201, json=payloads.item(payloads.comment(2, "Skickad från lager", "admin")))

    comments = await client.list_order_comments(101)
    comment = await client.create_order_comment(101, "Skickad från lager")

    assert [(c.text, c.author) for c in comments] == [("Lämna vid dörren", "customer")]
    assert sent_json(added) == {"text": "Skickad från lager"}
    assert (comment.comment_id, comment.author) == (2, "admin")


async def test_an_address_slot_is_written_by_type(starweb: respx.MockRouter, client: StarwebClient) -> None:
    route = starweb.put("/orders/101/addresses/customerDelivery").respond(
        json=payloads.item(payloads.address(city="Umeå")))
    listed = starweb.get("/orders/101/addresses").respond(json=payloads.item({
        "originalInvoice": payloads.address(), "customerDelivery": payloads.address(city="Umeå")}))

    saved = await client.put_order_address(101, AddressType.CUSTOMER_DELIVERY,
                                           Address(first_name="Karin", address="Storgatan 12", city="Umeå"))
    slots = await client.list_order_addresses(101)

    assert sent_json(route) == {"firstName": "Karin", "address": "Storgatan 12", "city": "Umeå"}
    assert saved.city == "Umeå"
    assert listed.call_count == 1
    assert slots.customer_delivery is not None and slots.customer_delivery.city == "Umeå"
    assert slots.payment_method_invoice is None


async def test_one_order_that_breaks_the_model_is_left_out_by_its_id_and_the_others_are_read(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    broken = payloads.order(102, with_includes=True)
    broken["items"]["data"][0]["quantity"] = 1.5  # Starweb's quantities are integers
    starweb.get("/orders").respond(json=payloads.page(
        [payloads.order(101, with_includes=True), broken, payloads.order(103, with_includes=True)], 1, 3))
    unreadable: list[UnreadableRecord] = []

    orders = [o.order_id async for o in client.iter_orders(on_unreadable=unreadable.append)]

    assert orders == [101, 103]
    assert [(u.record_id, u.problem) for u in unreadable] == [
        (102, "items.0.quantity: Input should be a valid integer, got a number with a fractional part")]


async def test_without_a_place_for_unreadable_orders_the_walk_stops_saying_why(
        starweb: respx.MockRouter, client: StarwebClient) -> None:
    broken = payloads.order(102, with_includes=True, orderId="x102")
    starweb.get("/orders").respond(json=payloads.page([payloads.order(101, with_includes=True), broken], 1, 2))

    with pytest.raises(UnexpectedResponse) as caught:
        [o async for o in client.iter_orders()]

    assert caught.value.vendor_message == ("orderId: Input should be a valid integer, unable to parse string as an "
                                           "integer")
