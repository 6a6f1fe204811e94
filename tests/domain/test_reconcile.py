"""Reconcile's comparison: which orders belong in Ongoing, which Ongoing orders Starweb lacks, which status
pairs the map forbids, which shipments are not reported, which stock figures are off, and the one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.config import load_merchants
from domain.reconcile import (
    Difference,
    DifferenceKind,
    QuarantineTrend,
    ReconcileReport,
    Window,
    absent_from_ongoing,
    missing_in_ongoing,
    missing_in_starweb,
    order_pair_differences,
    reconcile_window,
    starweb_order_id,
    stock_differences,
)
from domain.statuses import ShopStatus, StatusTable
from domain.stock_sync import ShopLevel, WarehouseLevel, plan_stock_writes
from integrations.ongoing.models import Order as OngoingOrder
from integrations.simulation.demo_data import DEMO_ORDER_STATUSES
from integrations.starweb.models import Order as StarwebOrder
from tests.integrations.ongoing.payloads import order_json
from tests.integrations.starweb.payloads import order as starweb_json

DEMO = load_merchants()["demo"]
TABLE = StatusTable(DEMO.state_rules(), [ShopStatus(sid, code) for sid, code, *_ in DEMO_ORDER_STATUSES])
CREATED, PICKING, SENT, CANCELLED, PARTIALLY_SENT, PROCESSED, RETURNED, AWAITING_PAYMENT = 1, 2, 3, 4, 5, 6, 7, 8
NOW = datetime(2026, 11, 30, 5, 30, tzinfo=UTC)
WINDOW = reconcile_window(NOW, days=7, settle=timedelta(minutes=30), go_live_cutoff=DEMO.go_live_cutoff)
LONG_AGO = NOW - timedelta(days=2)


def shop(order_id: int, status: int = CREATED, *, created: datetime = LONG_AGO, modified: datetime | None = None,
         **overrides: Any) -> StarwebOrder:
    return StarwebOrder.model_validate(starweb_json(order_id, statusId=status, createdAt=created.isoformat(),
                                                    modifiedAt=(modified or created).isoformat(), **overrides))


def warehouse(number: str, status: int, *, shipped: datetime | None = None) -> OngoingOrder:
    raw = order_json(50000 + int(number.rsplit("-", 1)[-1]), number, status=status)
    raw["orderInfo"]["shippedTime"] = shipped.isoformat() if shipped else None
    return OngoingOrder.model_validate(raw)


def test_the_window_is_the_last_days_up_to_the_settle_time_and_never_before_go_live() -> None:
    assert (WINDOW.start, WINDOW.end) == (NOW - timedelta(days=7), NOW - timedelta(minutes=30))
    cutoff = NOW - timedelta(days=2)
    late = reconcile_window(NOW, days=7, settle=timedelta(minutes=30), go_live_cutoff=cutoff)
    assert late.start == cutoff and not late.empty
    assert reconcile_window(NOW, days=7, settle=timedelta(0), go_live_cutoff=NOW + timedelta(days=1)).empty


@pytest.mark.parametrize(("number", "prefix", "expected"), [
    ("FJ-1042", "FJ-", 1042), ("1042", "", 1042), ("FJ-01042", "FJ-", None), ("B2B-7", "FJ-", None),
    ("FJ-", "FJ-", None), ("FJ-12a", "FJ-", None), ("1042", "FJ-", None),
])
def test_only_numbers_the_connector_could_have_made_name_a_starweb_order(number: str, prefix: str,
                                                                        expected: int | None) -> None:
    assert starweb_order_id(number, prefix) == expected


def test_orders_that_belong_in_the_warehouse_and_are_not_there() -> None:
    orders = [
        shop(1001),  # new and paid, exported: fine
        shop(1002),  # new and paid, not exported
        shop(1003, PICKING),  # Starweb says picking, but the warehouse has nothing
        shop(1004, CANCELLED),  # cancelled before export: nothing to do
        shop(1005, AWAITING_PAYMENT),  # a status the connector does not export from
        shop(1006, isComplete=False),  # checkout not finished
        shop(1007, created=NOW - timedelta(days=8)),  # before the window
        shop(1008, created=NOW - timedelta(minutes=5)),  # too recent: the export may not have run yet
        shop(1009, modified=NOW - timedelta(minutes=5)),  # paid moments ago: likewise
    ]
    absent = absent_from_ongoing(orders, {"FJ-1001"}, order_number=DEMO.order_number, table=TABLE,
                                 exportable_status_ids={CREATED}, window=WINDOW)
    assert [o.order_id for o in absent] == [1002, 1003]

    differences = missing_in_ongoing(absent, order_number=DEMO.order_number, table=TABLE,
                                     notes={1002: "quarantined since 2026-11-28 10:00 UTC after 3 attempt(s): x"})
    assert differences == [
        Difference(DifferenceKind.MISSING_IN_ONGOING, "order 1002", "status 1 (open)", "no order FJ-1002",
                   "quarantined since 2026-11-28 10:00 UTC after 3 attempt(s): x"),
        Difference(DifferenceKind.MISSING_IN_ONGOING, "order 1003", "status 2 (picking)", "no order FJ-1003",
                   "never exported: check the export-orders runs and the quarantine"),
    ]


def test_ongoing_orders_with_the_connectors_numbers_that_starweb_does_not_have() -> None:
    orders = [warehouse("FJ-2001", 210), warehouse("FJ-2002", 1000), warehouse("FJ-2003", 300),
              warehouse("B2B-2004", 210)]
    differences = missing_in_starweb(orders, {2001, 2002, 2004}, prefix="FJ-", table=TABLE)
    assert [(d.record, d.starweb, d.ongoing) for d in differences] == [
        ("order FJ-2001", "no order 2001", "status 210 (open)")], \
        "a cancelled one is harmless, 2003 exists, and B2B-2004 is not the connector's"


RECENT = NOW - timedelta(minutes=10)


@pytest.mark.parametrize(("starweb_status", "ongoing_status", "extra", "expected"), [
    (CREATED, 210, {}, None),
    (CREATED, 211, {}, None),
    (CREATED, 200, {}, None),  # exported, initial status not set yet: still open
    (CREATED, 300, {}, DifferenceKind.STATUS),  # the warehouse is picking, Starweb was not told
    (PICKING, 210, {}, DifferenceKind.STATUS),  # a release half done
    (PICKING, 400, {}, None),
    (SENT, 450, {}, None),
    (PARTIALLY_SENT, 450, {}, None),
    (CREATED, 450, {}, DifferenceKind.SHIPMENT),
    (PICKING, 450, {}, DifferenceKind.SHIPMENT),
    (PICKING, 450, {"shipped": RECENT}, None),  # the shipment report has not had its turn yet
    (SENT, 450, {"unreported": True}, DifferenceKind.SHIPMENT),  # Ongoing's acknowledgement is missing
    (CANCELLED, 210, {}, DifferenceKind.STATUS),
    (CREATED, 1000, {}, DifferenceKind.STATUS),
    (CANCELLED, 1000, {}, None),
    (CANCELLED, 450, {}, DifferenceKind.STATUS),  # cancelled in the shop, yet shipped
    (RETURNED, 800, {}, None),
    (SENT, 800, {}, DifferenceKind.STATUS),  # back in the warehouse, the shop still says sent
    (PROCESSED, 450, {}, None),  # a status the map does not name: nothing to judge
    (PROCESSED, 450, {"unreported": True}, DifferenceKind.SHIPMENT),
    (CREATED, 300, {"modified": RECENT}, None),  # changed in Starweb moments ago: may still be on its way
])
def test_status_pairs_are_judged_by_the_merchants_map(starweb_status: int, ongoing_status: int,
                                                     extra: dict[str, Any],
                                                     expected: DifferenceKind | None) -> None:
    pair = (shop(3001, starweb_status, modified=extra.get("modified")),
            warehouse("FJ-3001", ongoing_status, shipped=extra.get("shipped", LONG_AGO)))
    unreported = {"FJ-3001"} if extra.get("unreported") else set()

    found = order_pair_differences([pair], table=TABLE, unreported=unreported, window=WINDOW)

    assert [d.kind for d in found] == ([expected] if expected else [])
    if found:
        assert found[0].record == "order 3001"
        assert found[0].ongoing.startswith(f"status {ongoing_status} (")


def test_stock_differences_are_the_writes_the_stock_sync_would_make() -> None:
    plan = plan_stock_writes([WarehouseLevel("TENT-FJ2", 6), WarehouseLevel("THERMOS-1L", 30),
                              WarehouseLevel("OLD", 4, syncable=False)],
                             [ShopLevel("TENT-FJ2", 7, 70, 99), ShopLevel("THERMOS-1L", 6, 60, 28),
                              ShopLevel("OLD", 8, 80, 12)], safety_buffer=2)
    differences = stock_differences(plan, safety_buffer=2)
    assert [(d.record, d.starweb, d.ongoing, d.detail) for d in differences] == [
        ("SKU TENT-FJ2", "99", "6 sellable",
         "should be 4 (sellable less what the stock sync holds back, buffer 2), off by +95")], \
        "THERMOS-1L is 30 - 2 as it should be; an inactive article's figure is left alone"


def report(*differences: Difference, window: Window = WINDOW) -> ReconcileReport:
    return ReconcileReport("demo", window, list(differences), orders_compared=12, skus_compared=8,
                           quarantine=QuarantineTrend(2, 3))


def test_a_clean_day_says_so_in_one_line_and_counts_every_kind() -> None:
    clean = report()
    assert clean.clean
    assert clean.one_line() == ("demo is in sync: no differences in 12 order(s) created 2026-11-23 05:30 to "
                                "2026-11-30 05:00 UTC and 8 SKU(s).")
    assert clean.counts() == {"missing_in_ongoing": 0, "missing_in_starweb": 0, "status": 0, "shipment": 0,
                              "stock": 0, "total": 0}
    assert not clean.quarantine.growing


def test_differences_are_counted_by_kind() -> None:
    stock = Difference(DifferenceKind.STOCK, "SKU A", "9", "1 sellable", "")
    found = report(stock, Difference(DifferenceKind.SHIPMENT, "order 1", "", "", ""), stock)
    assert found.one_line() == ("demo: 3 difference(s) in 12 order(s) created 2026-11-23 05:30 to 2026-11-30 05:00 "
                                "UTC and 8 SKU(s): stock beyond the buffer: 2; shipment not reported: 1.")
    assert found.counts()["stock"] == 2 and found.counts()["total"] == 3
    assert [row["record"] for row in found.rows()] == ["SKU A", "order 1", "SKU A"]
    future = report(window=reconcile_window(NOW, days=7, settle=timedelta(0), go_live_cutoff=NOW))
    assert "no orders (the window starts at the go-live cutoff, 2026-11-30 05:30 UTC)" in future.one_line()
