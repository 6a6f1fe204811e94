"""The webhook receiver: accepted calls become one Prefect event each, everything else a counted refusal."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest

from tests.webhooks.conftest import (
    ONGOING_SECRET,
    STARWEB_SECRET,
    ReceiverWorld,
    ongoing_order_event,
    starweb_order_event,
)

STARWEB = f"/starweb/demo/{STARWEB_SECRET}"
ONGOING_HEADERS = {"X-Auth-Token": ONGOING_SECRET}


def test_a_starweb_order_event_becomes_one_prefect_event_about_the_order_and_the_merchant(
        receiver: ReceiverWorld) -> None:
    answer = receiver.client.post(STARWEB, json=starweb_order_event("order-created", order_id=1042))

    assert answer.status_code == 202
    assert answer.json()["outcome"] == "accepted"
    (event,) = receiver.sink.events
    assert event["event"] == "starweb.order.created"
    assert event["resource"]["prefect.resource.id"] == "starweb.order.demo.1042"
    assert event["related"] == [{"prefect.resource.id": "swo.merchant.demo", "prefect.resource.role": "merchant",
                                 "prefect.resource.name": "demo"}]
    (delivery,) = receiver.deliveries()
    assert (delivery.event, delivery.record, delivery.delivery_key) == ("starweb.order.created", "1042",
                                                                        "3f1c0e9e-0001")
    assert delivery.emitted_at is not None
    assert datetime.fromisoformat(event["payload"]["received_at"]) == delivery.received_at
    # The run the event starts stays for the event window from the moment the event was emitted.
    assert event["occurred"] == event["payload"]["emitted_at"]


def test_the_same_uuid_sent_again_is_acknowledged_and_dropped(receiver: ReceiverWorld) -> None:
    first = receiver.client.post(STARWEB, json=starweb_order_event(uuid="same"))
    again = receiver.client.post(STARWEB, json=starweb_order_event(uuid="same"))

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["outcome"] == "duplicate"
    assert len(receiver.sink.events) == 1
    assert len(receiver.deliveries()) == 1
    assert receiver.counts()[("demo", "starweb", "duplicate")] == 1


def test_the_event_comes_from_the_registered_url_when_event_id_is_not_a_name(receiver: ReceiverWorld) -> None:
    answer = receiver.client.post(f"{STARWEB}?event=order-status-changed",
                                  json=starweb_order_event(event=None, eventId=17, orderStatusId=4,
                                                           orderStatusIdCode="canceled"))

    assert answer.status_code == 202
    assert receiver.sink.events[0]["event"] == "starweb.order.cancelled"


@pytest.mark.parametrize("path", ["/starweb/demo/wrong-secret", f"/starweb/demo/{STARWEB_SECRET}x",
                                  f"/starweb/demo/{ONGOING_SECRET}"])
def test_a_wrong_secret_in_the_url_is_refused_before_the_body_is_read(receiver: ReceiverWorld, path: str) -> None:
    answer = receiver.client.post(path, content=b"{not json")

    assert answer.status_code == 401
    assert answer.json() == {"outcome": "unauthenticated", "detail": "missing or wrong webhook secret"}
    assert receiver.sink.events == [] and receiver.deliveries() == []
    assert receiver.counts() == {("demo", "starweb", "unauthenticated"): 1}


@pytest.mark.parametrize("headers", [{}, {"X-Auth-Token": "nope"}, {"X-Auth-Token": STARWEB_SECRET}])
def test_ongoing_calls_need_the_merchants_x_auth_token(receiver: ReceiverWorld, headers: dict[str, str]) -> None:
    answer = receiver.client.post("/ongoing/demo", json=ongoing_order_event(450), headers=headers)

    assert answer.status_code == 401
    assert receiver.sink.events == []
    assert receiver.counts() == {("demo", "ongoing", "unauthenticated"): 1}


def test_an_unknown_merchant_is_refused_and_counted_without_its_name(receiver: ReceiverWorld) -> None:
    answers = [receiver.client.post(f"/starweb/{name}/{STARWEB_SECRET}", json=starweb_order_event())
               for name in ("acme", "../demo", "DEMO")]

    assert {a.status_code for a in answers} == {404}
    assert receiver.counts() == {("(unknown)", "starweb", "unknown_merchant"): 2}  # "../demo" never routes
    assert receiver.sink.events == []


def test_a_merchant_without_webhooks_is_refused(receiver: ReceiverWorld) -> None:
    demo = (receiver.merchants_dir / "demo.yaml").read_text()
    (receiver.merchants_dir / "demo.yaml").write_text(demo.replace("  enabled: true", "  enabled: false"))

    answer = receiver.client.post(STARWEB, json=starweb_order_event())

    assert answer.status_code == 404
    assert answer.json()["detail"] == "starweb webhooks are not enabled for this merchant"


def test_oversized_bodies_are_refused_whether_declared_or_streamed(receiver: ReceiverWorld) -> None:
    big = json.dumps(starweb_order_event(padding="x" * 70_000)).encode()

    declared = receiver.client.post(STARWEB, content=big, headers={"Content-Type": "application/json"})
    streamed = receiver.client.post(STARWEB, content=iter([big[:40_000], big[40_000:]]))

    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert receiver.counts()[("demo", "starweb", "oversized")] == 2
    assert receiver.sink.events == []


@pytest.mark.parametrize(("body", "problem"), [
    (b"{not json", "the body is not JSON"),
    (b"[1, 2]", "the body is a JSON list, not an object"),
    (json.dumps({"eventId": "order-created", "orderId": 5}).encode(), "uuid: Field required"),
    (json.dumps(starweb_order_event(orderId=None)).encode(), "a order-created web-hook without orderId"),
    (json.dumps(starweb_order_event(orderId="abc")).encode(), "orderId: Input should be a valid integer"),
    (json.dumps(starweb_order_event(event="order-exploded")).encode(), "unknown web-hook event 'order-exploded'"),
])
def test_malformed_starweb_bodies_get_a_specific_422(receiver: ReceiverWorld, body: bytes, problem: str) -> None:
    answer = receiver.client.post(STARWEB, content=body)

    assert answer.status_code == 422
    assert problem in answer.json()["detail"]
    assert receiver.counts() == {("demo", "starweb", "malformed"): 1}


def test_events_the_connector_does_not_use_are_acknowledged_without_an_event(receiver: ReceiverWorld) -> None:
    answer = receiver.client.post(STARWEB, json={"uuid": "c1", "eventId": "customer-created", "customerId": 9})

    assert answer.status_code == 202
    assert answer.json()["outcome"] == "ignored"
    assert receiver.sink.events == [] and receiver.deliveries() == []


def test_when_prefect_does_not_take_the_event_the_vendor_is_told_to_retry_and_the_retry_is_emitted(
        receiver: ReceiverWorld) -> None:
    receiver.sink.failures = 1

    refused = receiver.client.post(STARWEB, json=starweb_order_event(uuid="retry-me"))
    retried = receiver.client.post(STARWEB, json=starweb_order_event(uuid="retry-me"))

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "60"
    assert retried.status_code == 202  # not a duplicate: its event never reached Prefect
    assert [e["event"] for e in receiver.sink.events] == ["starweb.order.created"]
    (delivery,) = receiver.deliveries()
    assert delivery.emitted_at is not None
    assert receiver.counts()[("demo", "starweb", "emit_failed")] == 1


def test_an_event_prefect_did_not_take_in_time_is_emitted_again_from_the_ledger(receiver: ReceiverWorld) -> None:
    receiver.sink.failures = 1
    refused = receiver.client.post(STARWEB, json=starweb_order_event(uuid="slow-prefect", order_id=1077))

    too_soon = asyncio.run(receiver.receiver.emit_pending())  # the call's own emit might still be under way
    receiver.clock.advance(2)
    sent = asyncio.run(receiver.receiver.emit_pending())
    again = asyncio.run(receiver.receiver.emit_pending())

    assert refused.status_code == 503
    assert (too_soon, sent, again) == (0, 1, 0)
    (event,) = receiver.sink.events
    assert (event["event"], event["payload"]["record"]) == ("starweb.order.created", "1077")
    assert receiver.deliveries()[0].emitted_at is not None
    # The vendor's own retry of the same call is now just a duplicate.
    assert receiver.client.post(STARWEB, json=starweb_order_event(uuid="slow-prefect")).status_code == 200


def test_an_unset_secret_is_a_retry_later_not_an_open_door(receiver: ReceiverWorld,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_WEBHOOK_ONGOING_TOKEN")

    answer = receiver.client.post("/ongoing/demo", json=ongoing_order_event(450), headers={"X-Auth-Token": ""})

    assert answer.status_code == 503
    assert answer.json()["outcome"] == "secret_unavailable"
    assert receiver.sink.events == []


@pytest.mark.parametrize(("status", "event"), [
    (200, "ongoing.order.open"), (210, "ongoing.order.open"), (300, "ongoing.order.status-changed"),
    (400, "ongoing.order.status-changed"), (450, "ongoing.order.shipped"), (500, "ongoing.order.shipped"),
    (800, "ongoing.order.returned"), (1000, "ongoing.order.status-changed"),
])
def test_ongoing_order_webhooks_are_named_by_the_merchants_status_map(receiver: ReceiverWorld, status: int,
                                                                      event: str) -> None:
    answer = receiver.client.post("/ongoing/demo", json=ongoing_order_event(status), headers=ONGOING_HEADERS)

    assert answer.status_code == 202
    assert receiver.sink.events[0]["event"] == event
    assert receiver.sink.events[0]["resource"]["prefect.resource.id"] == "ongoing.order.demo.FJ-1001"


def test_ongoing_purchase_order_and_return_webhooks(receiver: ReceiverWorld) -> None:
    received = {"webhookPurchaseOrdersId": 1, "webhookEventId": 2, "timestamp": "2026-11-30T09:00:00.0000000",
                "purchaseOrderId": 241, "purchaseOrderNumber": "PO-7", "goodsOwnerId": 1,
                "purchaseOrderStatus": {"number": 400}}
    returned = {**ongoing_order_event(450), "isReturned": True,
                "returnCause": {"returnCauseId": 11, "returnCauseCode": "REGRET", "returnCauseName": "Ångerköp"}}

    for body in (received, {**received, "purchaseOrderStatus": {"number": 100}}, returned):
        assert receiver.client.post("/ongoing/demo", json=body, headers=ONGOING_HEADERS).status_code == 202

    assert [(e["event"], e["payload"]["record"]) for e in receiver.sink.events] == [
        ("ongoing.purchase-order.received", "PO-7"), ("ongoing.purchase-order.status-changed", "PO-7"),
        ("ongoing.order.returned", "FJ-1001")]


def test_ongoing_resends_are_dropped_and_other_goods_owners_refused(receiver: ReceiverWorld) -> None:
    body = ongoing_order_event(450)
    answers = [receiver.client.post("/ongoing/demo", json=b, headers=ONGOING_HEADERS)
               for b in (body, dict(reversed(body.items())), {**body, "goodsOwnerId": 2}, {"hello": "there"})]

    assert [a.status_code for a in answers] == [202, 200, 422, 422]
    assert "goodsOwnerId 2 is not this merchant's goods owner (1)" in answers[2].json()["detail"]
    assert "neither an order nor a purchase-order webhook" in answers[3].json()["detail"]
    assert len(receiver.sink.events) == 1


def test_every_call_is_counted_by_merchant_vendor_and_outcome(receiver: ReceiverWorld) -> None:
    receiver.client.post(STARWEB, json=starweb_order_event(uuid="a"))
    receiver.client.post(STARWEB, json=starweb_order_event(uuid="b"))
    receiver.client.post(STARWEB, json=starweb_order_event(uuid="b"))
    receiver.client.post("/starweb/demo/bad", json=starweb_order_event(uuid="c"))
    receiver.client.post("/ongoing/demo", json=ongoing_order_event(300), headers=ONGOING_HEADERS)

    assert receiver.counts() == {("demo", "starweb", "accepted"): 2, ("demo", "starweb", "duplicate"): 1,
                                 ("demo", "starweb", "unauthenticated"): 1, ("demo", "ongoing", "accepted"): 1}


def test_the_health_check_answers_without_authentication(receiver: ReceiverWorld) -> None:
    assert receiver.client.get("/health").json() == {"ok": True}
