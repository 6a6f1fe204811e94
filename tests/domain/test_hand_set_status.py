"""Picking set by hand in Starweb: carried to Ongoing when a person set it on an open order, refused
with a reason when the connector may not move the order, and left alone when the connector did it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.config import load_merchants
from domain.hand_set_status import MoveToPicking, RefuseHandRelease, plan_hand_set_status
from domain.statuses import ShopStatus, StatusTable
from integrations.simulation.demo_data import DEMO_ORDER_STATUSES
from ledger.models import OrderBinding

DEMO = load_merchants()["demo"]
TABLE = StatusTable(DEMO.state_rules(), [ShopStatus(sid, code) for sid, code, *_ in DEMO_ORDER_STATUSES])
CREATED, PICKING, COMPLETED, CANCELED = 1, 2, 3, 4


def binding(**fields: Any) -> OrderBinding:
    return OrderBinding(merchant_id="demo", starweb_order_id=1042, order_number="FJ-1042",
                        **{"starweb_status_id": CREATED, "released_at": None, "on_hold": False,
                           "initial_status_set": True, **fields})


@pytest.mark.parametrize("ongoing_status", [200, 210, 211])
def test_picking_set_by_a_person_on_an_open_order_moves_the_warehouse_to_picking(ongoing_status: int) -> None:
    fresh = binding(initial_status_set=ongoing_status != 200)
    assert plan_hand_set_status(PICKING, fresh, ongoing_status, TABLE) == MoveToPicking(300)


@pytest.mark.parametrize(
    ("shop_status", "fields", "ongoing_status"),
    [
        (CREATED, {}, 210),  # not picking
        (COMPLETED, {}, 210),
        (CANCELED, {}, 210),  # cancellations go the way of every Starweb cancellation
        (None, {}, 210),
        (PICKING, {"released_at": datetime(2026, 11, 2, 7, tzinfo=UTC)}, 210),  # the release did it
        (PICKING, {"starweb_status_id": PICKING}, 210),  # the connector set it (the TPL's picking brought back)
        (PICKING, {}, 300),  # the warehouse is already picking
        (PICKING, {}, 450),
        (PICKING, {}, 1000),  # cancelled in the warehouse: the status sync brings that back
    ],
)
def test_nothing_is_carried_when_no_person_asked_or_the_warehouse_is_there(
        shop_status: int | None, fields: dict[str, Any], ongoing_status: int) -> None:
    assert plan_hand_set_status(shop_status, binding(**fields), ongoing_status, TABLE) is None


def test_an_order_on_hold_is_not_moved_and_the_reason_says_how_to_let_it_go() -> None:
    plan = plan_hand_set_status(PICKING, binding(on_hold=True), 210, TABLE)
    assert isinstance(plan, RefuseHandRelease)
    assert "FJ-1042 is on hold in the connector" in plan.reason and "--release" in plan.reason
    assert plan.comment.startswith("Plockning skickades inte till lagret: ordern är pausad")


def test_an_order_at_a_status_the_map_does_not_know_is_not_moved() -> None:
    plan = plan_hand_set_status(PICKING, binding(), 150, TABLE)
    assert isinstance(plan, RefuseHandRelease) and "Ongoing status 150 is not in the status map" in plan.reason
