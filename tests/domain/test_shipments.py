"""Shipments: what the warehouse sent that Starweb has not heard of, and how Starweb must learn it
(status, tracking, items and whether the customer is emailed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.config import load_merchants
from domain.shipments import (
    Shipment,
    ShippedLine,
    StarwebUpdate,
    detect_shipment,
    plan_starweb_update,
    starweb_already_updated,
    starweb_order_id_of,
)
from domain.statuses import OrderState, ShopStatus, StarwebStatusRef, StatusTable
from integrations.errors import MappingError
from integrations.ongoing.models import Order as OngoingOrder
from integrations.simulation.demo_data import DEMO_ORDER_STATUSES
from integrations.starweb.models import Order as StarwebOrder
from tests.integrations.ongoing.payloads import order_json
from tests.integrations.starweb.payloads import order as starweb_json

DEMO = load_merchants()["demo"]
SHOP = [ShopStatus(sid, code) for sid, code, *_ in DEMO_ORDER_STATUSES]
TABLE = StatusTable(DEMO.state_rules(), SHOP)
CREATED, PICKING, COMPLETED, CANCELED, PARTIALLY_SENT, RETURNED = 1, 2, 3, 4, 5, 7  # the demo shop's status ids
AFTER_GO_LIVE = "2026-11-20T10:00:00+01:00"  # the demo goes live 2026-11-01


def line(row: str, sku: str, ordered: float, *, picked: float | None = None, packed: float = 0,
         reported: float | None = None) -> dict[str, Any]:
    """A line of GET /orders: ordered, picked (default: all), packed and already acknowledged units."""
    return {"id": 48800 + int(row), "rowNumber": row, "orderedNumberOfItems": ordered,
            "pickedNumberOfItems": ordered if picked is None else picked, "packedNumberOfItems": packed,
            "reportedNumberOfItems": reported,
            "article": {"articleSystemId": 18000 + int(row), "articleNumber": sku, "articleName": sku}}


def ongoing(*lines: dict[str, Any], status: int = 450, number: str = "FJ-1042", **body: Any) -> OngoingOrder:
    """Order ``number`` as Ongoing reports it (tracking UA65456546 by SBTL once sent)."""
    raw = order_json(50163, number, status=status)
    template = raw["orderLines"][0]
    raw["orderLines"] = [{**template, **override} for override in lines]
    raw["orderInfo"]["goodsOwnerOrderId"] = number.removeprefix("FJ-")
    return OngoingOrder.model_validate({**raw, **body})


BOTH_PACKED = (line("1", "POLE-CF-120", 2, packed=2), line("2", "TENT-2P", 1, packed=1))
ONE_POLE_PACKED = (line("1", "POLE-CF-120", 2, picked=1, packed=1), line("2", "TENT-2P", 1, picked=0))


def shipped(shipment: Shipment | None) -> list[tuple[str, str, float]] | None:
    return None if shipment is None else [(li.row_number, li.sku, li.in_this_shipment) for li in shipment.lines]


# --- detecting a shipment ----------------------------------------------------------------------


@pytest.mark.parametrize(("status", "found"), [(300, False), (400, False), (450, True), (500, True), (800, True),
                                               (1000, False)])
def test_only_orders_sent_and_not_cancelled_can_have_a_shipment(status: int, found: bool) -> None:
    assert (detect_shipment(ongoing(*BOTH_PACKED, status=status), TABLE) is not None) is found


@pytest.mark.parametrize(
    ("lines", "expected", "partial"),
    [
        (BOTH_PACKED, [("1", "POLE-CF-120", 2.0), ("2", "TENT-2P", 1.0)], False),
        (ONE_POLE_PACKED, [("1", "POLE-CF-120", 1.0)], True),
        # A warehouse that packs: only packed units left; the picked but unpacked tent has not.
        ((line("1", "POLE-CF-120", 2, packed=2), line("2", "TENT-2P", 1, packed=0)), [("1", "POLE-CF-120", 2.0)],
         True),
        # A warehouse that does not pack at all: picked units are what left.
        ((line("1", "POLE-CF-120", 2), line("2", "TENT-2P", 1, picked=0)), [("1", "POLE-CF-120", 2.0)], True),
        # Units acknowledged earlier are not shipped again.
        ((line("1", "POLE-CF-120", 2, packed=2, reported=1), line("2", "TENT-2P", 1, packed=1, reported=1)),
         [("1", "POLE-CF-120", 1.0)], False),
        ((line("1", "POLE-CF-120", 2, packed=2, reported=2), line("2", "TENT-2P", 1, packed=1, reported=1)), None,
         False),
    ],
    ids=["complete", "partial", "packed-wins", "picked-if-no-packing", "after-acknowledged", "all-acknowledged"],
)
def test_a_shipment_is_what_left_beyond_what_was_acknowledged(lines: tuple, expected: list | None,
                                                              partial: bool) -> None:
    shipment = detect_shipment(ongoing(*lines), TABLE)
    assert shipped(shipment) == expected
    if shipment is not None:
        assert shipment.partial is partial


SHIPPED_AT = datetime(2026, 10, 10, 15, 5, 47, 127000, tzinfo=UTC)  # orderInfo.shippedTime of the payload


def test_a_shipment_carries_order_tracking_transporter_and_time() -> None:
    shipment = detect_shipment(ongoing(*ONE_POLE_PACKED), TABLE)
    assert shipment is not None
    assert (shipment.order_number, shipment.ongoing_order_id, shipment.tracking_number, shipment.transporter_code,
            shipment.shipped_at) == ("FJ-1042", 50163, "UA65456546", "SBTL", SHIPPED_AT)
    assert shipment.lines == [ShippedLine("1", 48801, "POLE-CF-120", ordered=2.0, shipped=1.0, reported=0.0)]
    assert shipment.shipped_by_row == {"1": 1.0, "2": 0.0}
    assert shipment.skus == {"POLE-CF-120"}


def test_the_same_shipment_seen_again_has_the_same_key_and_a_later_one_another() -> None:
    first = detect_shipment(ongoing(*ONE_POLE_PACKED), TABLE)
    seen_again = detect_shipment(ongoing(*ONE_POLE_PACKED, tracking=None), TABLE)  # a rerun, other details changed
    rest_after_first = (line("1", "POLE-CF-120", 2, packed=2, reported=1), line("2", "TENT-2P", 1, packed=1))
    second = detect_shipment(ongoing(*rest_after_first), TABLE)
    other_order = detect_shipment(ongoing(*ONE_POLE_PACKED, number="FJ-1043"), TABLE)
    assert first is not None and seen_again is not None and second is not None and other_order is not None
    assert first.key == seen_again.key
    assert len({first.key, second.key, other_order.key}) == 3
    assert shipped(second) == [("1", "POLE-CF-120", 1.0), ("2", "TENT-2P", 1.0)]
    assert not second.partial


@pytest.mark.parametrize(
    ("lines", "whole"),
    [
        (BOTH_PACKED, True),
        # The rest of an order shipped in two parcels: everything is out now.
        ((line("1", "POLE-CF-120", 2, packed=2, reported=1), line("2", "TENT-2P", 1, packed=1)), True),
        # A warehouse that does not pack: picked is shipped.
        ((line("1", "POLE-CF-120", 2), line("2", "TENT-2P", 1)), True),
        (ONE_POLE_PACKED, False),  # the tent is still to come
        # Picked but not yet packed: acknowledging "picked" would swallow a parcel that has not left.
        ((line("1", "POLE-CF-120", 2, packed=1), line("2", "TENT-2P", 1, packed=1)), False),
        # A short pick with the order sent: the missing unit may still be picked and shipped later.
        ((line("1", "POLE-CF-120", 2, picked=1), line("2", "TENT-2P", 1)), False),
    ],
    ids=["complete", "rest-of-a-partial", "no-packing", "partial", "picked-not-packed", "short-pick"],
)
def test_an_order_shipped_in_full_can_be_acknowledged_at_once(lines: tuple, whole: bool) -> None:
    shipment = detect_shipment(ongoing(*lines), TABLE)
    assert shipment is not None
    assert shipment.whole_order_shipped is whole


def tracked(waybill: str | None, day: int) -> dict[str, Any]:
    return {"waybill": waybill, "trackingUrl": None, "created": f"2026-10-{day}T08:00:00Z", "freightPrice": None}


RETURN_LABEL_ONLY = [{"id": 208, "parcelNumber": "00371231232", "isReturnParcel": True}]


@pytest.mark.parametrize(
    ("tracking", "way_bill", "parcels", "expected"),
    [
        ([tracked("NEW-2", 11), tracked("OLD-1", 10)], "WB-0", None, "NEW-2"),
        ([tracked("OLD-1", 10), tracked(None, 12)], "WB-0", None, "OLD-1"),  # an entry without a waybill is no number
        (None, "WB-0", None, "WB-0"),  # no tracking list: the order's own waybill
        # A transporter service that numbers parcels only: the outbound parcel (the return label is no number).
        (None, None, "as in the payload", "00376546546"),
        (None, None, RETURN_LABEL_ONLY, None),
        (None, None, None, None),
    ],
)
def test_the_tracking_number_is_the_latest_waybill(tracking: list | None, way_bill: str | None, parcels: Any,
                                                   expected: str | None) -> None:
    extra = {} if parcels == "as in the payload" else {"parcels": parcels}
    order = ongoing(*BOTH_PACKED, tracking=tracking, **extra)
    order = order.model_copy(update={"order_info": order.order_info.model_copy(update={"way_bill": way_bill})})
    shipment = detect_shipment(order, TABLE)
    assert shipment is not None and shipment.tracking_number == expected


# --- what Starweb must learn -------------------------------------------------------------------


def starweb(status_id: int = PICKING, created_at: str = AFTER_GO_LIVE, **fields: Any) -> StarwebOrder:
    """Order 1042 in Starweb: item 1 is two poles, item 2 one tent."""
    return StarwebOrder.model_validate(starweb_json(1042, with_includes=True, statusId=status_id, createdAt=created_at,
                                                    **fields))


def plan(lines: tuple = BOTH_PACKED, order: StarwebOrder | None = None, *, table: StatusTable = TABLE,
         transporter: str | None = "SBTL", **options: Any) -> StarwebUpdate:
    shipment = detect_shipment(ongoing(*lines), TABLE)
    assert shipment is not None
    settings: dict[str, Any] = {"exported_by_us": True, "exported_silently": False,
                                "go_live_cutoff": DEMO.go_live_cutoff, "remainder": "keep_open",
                                "tracking_types": DEMO.tracking_types} | options
    return plan_starweb_update(replace(shipment, transporter_code=transporter), order or starweb(), table, **settings)


@pytest.mark.parametrize(
    ("lines", "remainder", "expected"),
    [
        (BOTH_PACKED, "keep_open", (OrderState.SENT, COMPLETED, True, True, {})),
        (BOTH_PACKED, "cancel", (OrderState.SENT, COMPLETED, True, True, {})),
        (ONE_POLE_PACKED, "keep_open", (OrderState.PARTIALLY_SENT, PARTIALLY_SENT, True, False, {})),
        # The rest is cancelled: items cut to what shipped (the tent to 0, i.e. removed) and the order is sent.
        (ONE_POLE_PACKED, "cancel", (OrderState.SENT, COMPLETED, True, True, {1: 1, 2: 0})),
    ],
)
def test_the_status_follows_what_shipped_and_the_remainder_policy(lines: tuple, remainder: str,
                                                                  expected: tuple) -> None:
    update = plan(lines, remainder=remainder)
    assert (update.target_state, update.target_status_id, update.send_email, update.process_payment,
            update.item_quantities) == expected
    assert update.silent_reason is None


@pytest.mark.parametrize(
    ("order", "options", "reason"),
    [
        (starweb(created_at="2026-10-31T23:59:00+01:00"), {}, "created before the go-live cutoff"),
        (starweb(created_at="2026-10-31T23:59:00+01:00"), {"exported_silently": True, "exported_by_us": False},
         "created before the go-live cutoff"),
        (starweb(), {"exported_silently": True}, "exported before go-live"),
        (starweb(), {"exported_by_us": False}, "not exported by this connector (older than its activation)"),
        (starweb(COMPLETED), {}, "already completed in Starweb"),
        (starweb(CANCELED), {}, "already completed in Starweb"),
        (starweb(RETURNED), {}, "already completed in Starweb"),
    ],
)
def test_old_foreign_or_finished_orders_are_updated_without_email_or_payment(order: StarwebOrder,
                                                                             options: dict[str, Any],
                                                                             reason: str) -> None:
    update = plan(order=order, **options)
    assert (update.silent_reason, update.send_email, update.process_payment) == (reason, False, False)
    assert update.target_status_id == COMPLETED  # the status and tracking are still set


@pytest.mark.parametrize(
    ("order", "options"),
    [
        (starweb(created_at="2026-10-31T23:59:00+01:00"), {"go_live_cutoff": None}),  # no cutoff configured
        (starweb(created_at="2026-11-01T00:00:00+01:00"), {}),  # placed at the go-live moment
        (starweb(PARTIALLY_SENT), {}),  # the next parcel of a partly sent order
        (starweb(CREATED), {}),
    ],
)
def test_a_live_order_of_ours_emails_the_customer(order: StarwebOrder, options: dict[str, Any]) -> None:
    update = plan(order=order, **options)
    assert (update.silent_reason, update.send_email) == (None, True)


def test_no_email_when_the_merchants_map_does_not_notify_for_the_status() -> None:
    quiet = StatusTable([replace(r, notify_customer=False) for r in DEMO.state_rules()], SHOP)
    update = plan(table=quiet)
    assert (update.send_email, update.process_payment, update.silent_reason) == (False, True, None)


@pytest.mark.parametrize(("transporter", "tracker_type"), [("PLAB", 1), ("SBTL", 2), ("DHL", None), (None, None)])
def test_the_tracker_type_comes_from_the_merchants_map(transporter: str | None, tracker_type: int | None) -> None:
    assert plan(transporter=transporter).tracker_type == tracker_type


@pytest.mark.parametrize(
    ("status_id", "tracking_no", "shipment_tracking", "expected"),
    [
        (COMPLETED, "UA65456546", "UA65456546", True),
        (COMPLETED, None, None, True),  # a shipment without tracking: the status alone tells
        (COMPLETED, "UA65456546", None, True),
        (COMPLETED, None, "UA65456546", False),
        (COMPLETED, "OLD-1", "UA65456546", False),
        (PICKING, "UA65456546", "UA65456546", False),
    ],
)
def test_an_earlier_attempts_status_change_is_recognised(status_id: int, tracking_no: str | None,
                                                         shipment_tracking: str | None, expected: bool) -> None:
    current = starweb(status_id, shippingTrackingNo=tracking_no)
    assert starweb_already_updated(current, plan(), shipment_tracking) is expected


@pytest.mark.parametrize(
    ("order_number", "prefix", "goods_owner_order_id", "expected"),
    [
        ("FJ-1042", "FJ-", "1042", 1042),
        ("FJ-1042", "FJ-", None, 1042),
        ("FJ-1042", "FJ-", "", 1042),
        ("FJ-1042", "FJ-", "WEB-9", 1042),  # not a Starweb id: the number decides
        ("X-77", "FJ-", "1042", 1042),  # Starweb's id echoed by the warehouse wins
        ("1042", "FJ-", None, 1042),  # an order placed in Ongoing by hand before the prefix
        ("1042", "", None, 1042),
        ("WEB-1042", "FJ-", None, None),
        ("FJ-", "FJ-", None, None),
    ],
)
def test_the_starweb_order_behind_an_ongoing_order_number(order_number: str, prefix: str,
                                                          goods_owner_order_id: str | None,
                                                          expected: int | None) -> None:
    assert starweb_order_id_of(order_number, prefix, goods_owner_order_id) == expected


# --- emails only where a status change really triggers one -----------------------------------------

ALTERNATE_PARTIALLY_SENT = 9  # the demo merchant's second "partially sent" status
WITHOUT_ALTERNATE = StatusTable([replace(r, alternate=None) for r in DEMO.state_rules()], SHOP)


def test_a_second_partial_shipment_to_the_same_status_is_counted_as_no_email() -> None:
    update = plan(ONE_POLE_PACKED, starweb(PARTIALLY_SENT), table=WITHOUT_ALTERNATE)
    assert (update.target_status_id, update.send_email) == (PARTIALLY_SENT, False)
    assert update.no_email_reason == "Starweb already shows this status and emails on a status change only"
    assert update.process_payment is False and update.silent_reason is None


@pytest.mark.parametrize(("current", "target"), [(PICKING, PARTIALLY_SENT), (PARTIALLY_SENT, ALTERNATE_PARTIALLY_SENT),
                                                 (ALTERNATE_PARTIALLY_SENT, PARTIALLY_SENT)])
def test_partial_shipments_alternate_between_the_two_partially_sent_statuses(current: int, target: int) -> None:
    update = plan(ONE_POLE_PACKED, starweb(current))
    assert (update.target_state, update.target_status_id, update.send_email) == (OrderState.PARTIALLY_SENT, target,
                                                                                 True)


def test_the_alternate_status_means_partially_sent_and_the_last_parcel_still_sends() -> None:
    assert TABLE.states_of_starweb(ALTERNATE_PARTIALLY_SENT) == {OrderState.PARTIALLY_SENT}
    update = plan(BOTH_PACKED, starweb(ALTERNATE_PARTIALLY_SENT))
    assert (update.target_status_id, update.send_email) == (COMPLETED, True)


def test_no_email_counted_for_a_status_without_email_or_an_order_that_opted_out() -> None:
    quiet_shop = [ShopStatus(sid, code, sid != PARTIALLY_SENT) for sid, code, *_ in DEMO_ORDER_STATUSES]
    quiet = plan(ONE_POLE_PACKED, table=StatusTable(DEMO.state_rules(), quiet_shop))
    assert (quiet.send_email, quiet.no_email_reason) == (
        False, "the Starweb status does not send email (shouldSendEmail is off)")
    opted_out = plan(order=starweb(sendEmailsOnStatusChange=False))
    assert (opted_out.send_email, opted_out.no_email_reason) == (
        False, "status emails are switched off on this Starweb order")
    assert opted_out.process_payment is True, "payment still follows the status change"


def test_an_alternate_status_must_be_a_status_of_its_own() -> None:
    rules = [replace(r, alternate=StarwebStatusRef(id_code="completed")) if r.state is OrderState.PARTIALLY_SENT
             else r for r in DEMO.state_rules()]
    with pytest.raises(MappingError, match="partially_sent: the alternate Starweb status completed is already mapped"):
        StatusTable(rules, SHOP)
