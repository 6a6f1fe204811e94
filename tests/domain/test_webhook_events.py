"""Reading vendor webhook bodies as deliveries: which event, which record, which de-duplication key."""

from __future__ import annotations

from typing import Any

import pytest

from domain.config import MERCHANTS_DIR, MerchantConfig, load_merchants
from domain.webhook_events import (
    LISTENERS,
    STARWEB_SUBSCRIPTIONS,
    DeliveryError,
    body_digest,
    order_event,
    parse_ongoing_delivery,
    parse_starweb_delivery,
)

DEMO = load_merchants(MERCHANTS_DIR)["demo"]


@pytest.mark.parametrize(("body", "hint", "expected"), [
    ({"uuid": "u1", "eventId": "order-created", "orderId": 1001}, None, ("starweb.order.created", "order", "1001")),
    ({"uuid": "u2", "eventId": "order-status-changed", "orderId": "1002"}, None,
     ("starweb.order.status-changed", "order", "1002")),  # no status in the body: both listeners look
    ({"uuid": "u3", "eventId": 42, "orderId": 1003}, "order-deleted", ("starweb.order.deleted", "order", "1003")),
    ({"uuid": "u4", "eventId": "product-updated", "productId": 7}, None, ("starweb.product.updated", "product", "7")),
    ({"uuid": "u5", "orderId": 1005, "extra": {"nested": True}}, "order-updated",
     ("starweb.order.updated", "order", "1005")),
])
def test_starweb_bodies_name_the_event_and_the_record(body: dict[str, Any], hint: str | None,
                                                      expected: tuple[str, str, str]) -> None:
    delivery = parse_starweb_delivery(body, DEMO, hint)

    assert delivery is not None
    assert (delivery.event, delivery.record_kind, delivery.record) == expected
    assert delivery.key == body["uuid"]


@pytest.mark.parametrize(("body", "problem"), [
    ("hello", "the body is a JSON str, not an object"),
    ({"eventId": "order-created", "orderId": 1}, "uuid: Field required"),
    ({"uuid": "", "eventId": "order-created", "orderId": 1}, "uuid: String should have at least 1 character"),
    ({"uuid": "x", "eventId": "order-created", "orderId": 0}, "orderId: Input should be greater than 0"),
    ({"uuid": "x", "eventId": "product-created"}, "a product-created web-hook without productId"),
    ({"uuid": "x", "eventId": 3, "orderId": 1}, "unknown web-hook event 3"),
])
def test_starweb_bodies_that_cannot_be_read_say_why(body: Any, problem: str) -> None:
    with pytest.raises(DeliveryError, match=problem):
        parse_starweb_delivery(body, DEMO)


def test_starweb_events_the_connector_does_not_use_are_none() -> None:
    assert parse_starweb_delivery({"uuid": "c", "eventId": "customer-updated", "customerId": 3}, DEMO) is None


@pytest.mark.parametrize(("status_id", "id_code", "event"), [
    (1, "created", "starweb.order.exportable"),  # the demo exports orders in "created"
    (4, "canceled", "starweb.order.cancelled"),
    (2, "picking", "starweb.order.status-set"),  # e.g. the connector's own release: no run
    (3, "completed", "starweb.order.status-set"),
    (5, None, "starweb.order.status-changed"),  # the file names statuses by idCode; the body carries none
    (None, None, "starweb.order.status-changed"),
])
def test_a_starweb_status_change_is_named_by_the_merchants_file(status_id: int | None, id_code: str | None,
                                                                 event: str) -> None:
    body = {"uuid": "s", "eventId": "order-status-changed", "orderId": 1001, "orderStatusId": status_id,
            "orderStatusIdCode": id_code}

    delivery = parse_starweb_delivery(body, DEMO)

    assert delivery is not None and delivery.event == event


def test_statuses_named_by_id_in_the_file_are_matched_by_id() -> None:
    data = DEMO.model_dump()
    data["orders"]["exportable_starweb_statuses"] = [6]
    data["statuses"]["cancelled"]["starweb"] = 8
    by_id = MerchantConfig.model_validate(data)

    events = [parse_starweb_delivery({"uuid": str(n), "eventId": "order-status-changed", "orderId": 1,
                                      "orderStatusId": n}, by_id).event for n in (6, 8, 2)]

    assert events == ["starweb.order.exportable", "starweb.order.cancelled", "starweb.order.status-set"]


def merchant_with(**numbers: int) -> MerchantConfig:
    data = DEMO.model_dump()
    for state, number in numbers.items():
        data["statuses"][state]["ongoing"] = number
    return MerchantConfig.model_validate(data)


@pytest.mark.parametrize(("number", "event"), [
    (None, "ongoing.order.status-changed"), (200, "ongoing.order.open"), (211, "ongoing.order.open"),
    (300, "ongoing.order.status-changed"), (400, "ongoing.order.status-changed"), (449, "ongoing.order.status-changed"),
    (450, "ongoing.order.shipped"), (500, "ongoing.order.shipped"), (800, "ongoing.order.returned"),
    (1000, "ongoing.order.status-changed"),
])
def test_an_ongoing_order_status_is_named_by_the_merchants_map(number: int | None, event: str) -> None:
    assert order_event(number, DEMO) == event


def test_another_warehouses_numbers_move_the_boundaries() -> None:
    norwegian = merchant_with(picking=320, partially_sent=425, sent=450, returned=475)

    assert [order_event(n, norwegian) for n in (300, 320, 425, 475)] == [
        "ongoing.order.open", "ongoing.order.status-changed", "ongoing.order.shipped", "ongoing.order.returned"]


def test_ongoing_bodies_by_family_and_the_key_ignores_member_order() -> None:
    order = {"orderId": 5, "orderNumber": "FJ-1", "goodsOwnerId": 1, "orderStatus": {"number": 450},
             "timestamp": "2026-11-30T10:00:00.0000000"}
    picked = {"orderNumber": "FJ-1", "isReturned": False}
    po = {"purchaseOrderId": 9, "goodsOwnerId": 1, "purchaseOrderStatus": {"number": 500}}

    shipped, pick, receipt = (parse_ongoing_delivery(b, DEMO) for b in (order, picked, po))

    assert (shipped.event, shipped.record) == ("ongoing.order.shipped", "FJ-1")
    assert (pick.event, pick.record) == ("ongoing.order.picked", "FJ-1")
    assert (receipt.event, receipt.record_kind, receipt.record) == ("ongoing.purchase-order.received",
                                                                    "purchase-order", None)
    assert shipped.key == body_digest(dict(reversed(order.items()))) != body_digest({**order, "orderId": 6})


@pytest.mark.parametrize(("body", "problem"), [
    ([], "the body is a JSON list"),
    ({"orderNumber": "FJ-1", "goodsOwnerId": 7}, "goodsOwnerId 7 is not this merchant's goods owner \\(1\\)"),
    ({"orderNumber": "FJ-1", "orderStatus": {"number": "sent"}}, "orderStatus.number: Input should be a valid integer"),
    ({"timestamp": "2026-11-30"}, "neither an order nor a purchase-order webhook"),
])
def test_ongoing_bodies_that_cannot_be_read_say_why(body: Any, problem: str) -> None:
    with pytest.raises(DeliveryError, match=problem):
        parse_ongoing_delivery(body, DEMO)


def test_starweb_is_subscribed_to_the_order_events_the_listeners_need() -> None:
    needed = {event for listener in LISTENERS.values() for event in listener.events if event.startswith("starweb.")}

    assert needed == {"starweb.order.created", "starweb.order.completed", "starweb.order.exportable",
                      "starweb.order.cancelled", "starweb.order.status-changed", "starweb.order.updated",
                      "starweb.order.deleted"}
    assert set(STARWEB_SUBSCRIPTIONS) == {"order-created", "order-completed", "order-updated",
                                          "order-status-changed", "order-deleted"}
