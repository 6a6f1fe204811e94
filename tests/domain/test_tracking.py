"""Tracking numbers: a shipment without a waybill waits for it within the grace period, and a waybill
that appears after the report is recognised as new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.tracking import fresh_tracking_number, held_until, late_waybill
from tests.domain.test_shipments import BOTH_PACKED, ongoing, tracked

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
GRACE = timedelta(minutes=30)


@pytest.mark.parametrize(
    ("tracking", "shipped_minutes_ago", "seen_minutes_ago", "expected_minutes_left"),
    [
        ("00370000000000000001", 0, 0, None),  # it has its number: report now
        (None, 5, 0, 25),  # waits, counted from the shipping time
        (None, None, 10, 20),  # Ongoing gave no shipping time: from when the connector first saw it
        (None, 5, 40, None),  # first seen long before the (later stamped) shipping time: the grace is over
        (None, 31, 0, None),  # shipped more than the grace period ago: report without a number
        (None, 30, 30, None),  # the deadline itself reports
    ],
)
def test_an_untracked_shipment_is_held_for_the_grace_period(tracking: str | None, shipped_minutes_ago: int | None,
                                                           seen_minutes_ago: int,
                                                           expected_minutes_left: int | None) -> None:
    shipped_at = None if shipped_minutes_ago is None else NOW - timedelta(minutes=shipped_minutes_ago)
    until = held_until(tracking, shipped_at=shipped_at, first_seen=NOW - timedelta(minutes=seen_minutes_ago),
                       now=NOW, grace=GRACE)
    assert until == (None if expected_minutes_left is None else NOW + timedelta(minutes=expected_minutes_left))


def test_no_grace_period_reports_at_once() -> None:
    assert held_until(None, shipped_at=NOW, first_seen=NOW, now=NOW, grace=timedelta(0)) is None


@pytest.mark.parametrize(
    ("tracking", "already_reported", "expected"),
    [
        (None, set(), None),  # still no number
        ([tracked("W-2", 11)], set(), "W-2"),
        ([tracked("W-2", 11)], {"W-2"}, None),  # Starweb has it
        ([tracked("W-1", 10), tracked("W-2", 11)], {"W-1"}, "W-2"),  # the second parcel's number came late
        ([tracked("W-1", 10)], {"W-1"}, None),  # only the first shipment's number so far
    ],
)
def test_a_late_waybill_is_one_starweb_was_not_given(tracking: list | None, already_reported: set[str],
                                                     expected: str | None) -> None:
    order = ongoing(*BOTH_PACKED, tracking=tracking, parcels=None)
    order = order.model_copy(update={"order_info": order.order_info.model_copy(update={"way_bill": None})})
    assert late_waybill(order, already_reported) == expected


@pytest.mark.parametrize(("number", "expected"), [("W-2", "W-2"), ("W-1", None), (None, None)])
def test_a_number_an_earlier_shipment_already_gave_starweb_is_not_this_shipments(number: str | None,
                                                                                expected: str | None) -> None:
    assert fresh_tracking_number(number, {"W-1"}) == expected
