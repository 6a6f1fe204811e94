"""Order release: which exported orders go to picking now, and why the others stay."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.config import load_merchants
from domain.release import ReleaseCandidate, ReleaseDecision, choose_releases
from domain.statuses import ShopStatus, StatusTable
from integrations.simulation.demo_data import DEMO_ORDER_STATUSES

TABLE = StatusTable(load_merchants()["demo"].state_rules(),
                    [ShopStatus(sid, code) for sid, code, *_ in DEMO_ORDER_STATUSES])
CREATED, PICKING, CANCELED, AWAITING_PAYMENT = 1, 2, 4, 8  # the demo shop's status ids
RELEASABLE = {CREATED}
MORNING = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def candidate(order_id: int = 1042, **fields: Any) -> ReleaseCandidate:
    """An exported order as the ledger holds it: open in stock, two lines, not on hold, not started."""
    base = ReleaseCandidate(binding_id=order_id - 1000, starweb_order_id=order_id, order_number=f"FJ-{order_id}",
                            ongoing_order_id=50000 + order_id, state="open_in_stock",
                            starweb_created_at=MORNING - timedelta(hours=12), on_hold=False, started=False, lines=2,
                            units=3.0)
    return replace(base, **fields)


def decide(*candidates: ReleaseCandidate, shop: dict[int, int] | None = None, warehouse: dict[str, int] | None = None,
           held: Collection[int] = (), **filters: Any) -> list[ReleaseDecision]:
    """Run the choice with every order "created" in Starweb and open in stock (210) in Ongoing unless told."""
    return choose_releases(
        candidates, table=TABLE, releasable_status_ids=RELEASABLE, held_order_ids=held,
        shop_status={c.starweb_order_id: CREATED for c in candidates} | (shop or {}),
        warehouse_status={c.order_number: 210 for c in candidates} | (warehouse or {}), **filters)


def verdict(decision: ReleaseDecision) -> tuple[bool, str, bool]:
    return decision.release, decision.reason, decision.warehouse_done


@pytest.mark.parametrize(
    ("fields", "shop_status", "ongoing_status", "held", "expected"),
    [
        ({}, CREATED, 210, False, (True, "released", False)),
        ({"state": "open_backordered"}, CREATED, 211, False, (True, "released", False)),
        ({"state": None}, CREATED, 200, False, (True, "released", False)),  # exported, initial status not set yet
        ({}, CREATED, 300, False, (True, "the warehouse already released it; Starweb follows", True)),
        ({}, CREATED, 400, False, (True, "the warehouse already released it; Starweb follows", True)),
        ({"on_hold": True}, CREATED, 210, False, (False, "on hold", False)),
        ({"on_hold": True}, CREATED, 210, True, (False, "on hold", False)),
        ({}, CREATED, 210, True, (False, "in quarantine: resolve it first", False)),
        ({}, PICKING, 210, False, (False, "its Starweb status is not one the merchant releases from", False)),
        ({}, AWAITING_PAYMENT, 210, False,
         (False, "its Starweb status is not one the merchant releases from", False)),
        ({}, CREATED, None, False, (False, "not found in Ongoing", False)),
        ({}, CREATED, 450, False, (False, "already sent in the warehouse", False)),
        ({}, CREATED, 800, False, (False, "already returned in the warehouse", False)),
        ({}, CREATED, 1000, False, (False, "already cancelled in the warehouse", False)),
    ],
)
def test_each_order_is_released_or_kept_back_with_its_reason(
    fields: dict[str, Any], shop_status: int, ongoing_status: int | None, held: bool, expected: tuple
) -> None:
    c = candidate(**fields)
    warehouse = {} if ongoing_status is None else {c.order_number: ongoing_status}
    (decision,) = choose_releases(
        [c], table=TABLE, shop_status={c.starweb_order_id: shop_status}, releasable_status_ids=RELEASABLE,
        warehouse_status=warehouse, held_order_ids={c.starweb_order_id} if held else set())
    assert verdict(decision) == expected
    assert decision.candidate is c


def test_an_order_missing_from_the_shops_releasable_list_is_kept_back() -> None:
    (decision,) = choose_releases([candidate()], table=TABLE, shop_status={}, releasable_status_ids=RELEASABLE,
                                  warehouse_status={"FJ-1042": 210}, held_order_ids=set())
    assert verdict(decision) == (False, "its Starweb status is not one the merchant releases from", False)


@pytest.mark.parametrize(
    ("state", "ongoing_status", "released"),
    [("open_backordered", 211, False), ("open_in_stock", 210, True)],
)
def test_a_merchant_releasing_in_stock_orders_only_keeps_backordered_ones(state: str, ongoing_status: int,
                                                                          released: bool) -> None:
    (decision,) = decide(candidate(state=state), warehouse={"FJ-1042": ongoing_status}, skip_backordered=True)
    assert decision.release is released
    if not released:
        assert decision.reason == "backordered (the merchant releases in-stock orders only)"


def test_a_run_for_chosen_orders_decides_about_those_only() -> None:
    decisions = decide(candidate(1041), candidate(1042), candidate(1043), order_ids={1043, 1041})
    assert [(d.candidate.starweb_order_id, d.release) for d in decisions] == [(1041, True), (1043, True)]


def test_orders_created_at_or_after_the_cutoff_are_kept_back_and_named() -> None:
    cutoff = MORNING - timedelta(hours=1)
    decisions = decide(candidate(1041, starweb_created_at=cutoff - timedelta(seconds=1)),
                       candidate(1042, starweb_created_at=cutoff), candidate(1043, starweb_created_at=None),
                       created_before=cutoff)
    assert [(d.candidate.starweb_order_id, d.release, d.reason) for d in decisions] == [
        (1041, True, "released"),
        (1042, False, "created after the release cutoff"),
        (1043, False, "created after the release cutoff"),  # an unknown creation time is not "before"
    ]


def test_decisions_come_in_starweb_order_id_order() -> None:
    decisions = decide(candidate(1050), candidate(1003), candidate(1042))
    assert [d.candidate.starweb_order_id for d in decisions] == [1003, 1042, 1050]


@pytest.mark.parametrize(
    ("ongoing_status", "shop_status", "expected"),
    [
        (210, CREATED, (True, "completing a release left half done", False)),  # Ongoing's change never landed
        (300, CREATED, (True, "completing a release left half done", True)),  # only Starweb is left
        (300, PICKING, (True, "completing a release left half done", True)),
        (300, CANCELED, (False, "a started release was cancelled on one side; left for the status sync", False)),
        (1000, CREATED, (False, "a started release was cancelled on one side; left for the status sync", False)),
    ],
)
def test_a_release_left_half_done_is_completed_unless_cancelled(ongoing_status: int, shop_status: int,
                                                               expected: tuple) -> None:
    (decision,) = decide(candidate(started=True), shop={1042: shop_status}, warehouse={"FJ-1042": ongoing_status})
    assert verdict(decision) == expected


def test_a_release_left_half_done_is_completed_whatever_the_runs_filters() -> None:
    late = MORNING + timedelta(hours=3)
    half_done = candidate(1042, started=True, starweb_created_at=late, on_hold=True, state="open_backordered")
    decisions = decide(candidate(1041), half_done, shop={1042: AWAITING_PAYMENT}, held={1042}, order_ids={1041},
                       created_before=MORNING, skip_backordered=True)
    assert [(d.candidate.starweb_order_id, d.release, d.reason) for d in decisions] == [
        (1041, True, "released"), (1042, True, "completing a release left half done")]


def test_the_report_shows_the_stock_state_in_words() -> None:
    decisions = decide(candidate(1041, state="open_backordered"), candidate(1042, state=None))
    assert [d.stock_state for d in decisions] == ["open backordered", "unknown"]
