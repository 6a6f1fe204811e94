"""New-order export: which Starweb orders go to the warehouse, in which order, and how each one starts."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest

from domain.config import load_merchants
from domain.hashing import payload_hash
from domain.order_export import ExportPlan, ExportRefusal, ExportStep, plan_exports, select_for_export
from domain.statuses import OrderState
from integrations.starweb.models import Order
from tests.integrations.starweb.payloads import order as order_json
from tests.integrations.starweb.payloads import order_item

DEMO = load_merchants()["demo"]  # goes live 2026-11-01T00:00:00+01:00
CREATED, PICKING, AWAITING_PAYMENT = 1, 2, 8  # the demo shop's status ids
KNOWN = {"POLE-CF-120", "TENT-2P", "THERMOS-1L"}


def order(order_id: int, created_at: str | None = "2026-11-20T10:00:00+01:00",
          items: list[tuple[str, int]] | None = None, **fields: Any) -> Order:
    """A paid, complete order as GET /orders/{id}?include=items,addresses answers it."""
    body = order_json(order_id, with_includes=True, createdAt=created_at, **fields)
    if items is not None:
        body["items"] = {"data": [order_item(n, sku=sku, quantity=qty) for n, (sku, qty) in enumerate(items, 1)]}
    return Order.model_validate(body)


def selected(orders: list[Order], *, bound: Collection[int] = (), held: Collection[int] = ()) -> list[int]:
    chosen = select_for_export(orders, exportable_status_ids={CREATED}, bound_order_ids=bound, held_order_ids=held)
    return [o.order_id for o in chosen]


@pytest.mark.parametrize(
    ("fields", "exported"),
    [
        ({}, True),
        ({"isComplete": None}, True),  # list answers may leave it out
        ({"isComplete": False}, False),  # an abandoned checkout fetched by id
        ({"statusId": AWAITING_PAYMENT}, False),
        ({"statusId": PICKING}, False),
        ({"statusId": None}, False),
    ],
)
def test_only_complete_orders_in_an_exportable_status_are_exported(fields: dict[str, Any], exported: bool) -> None:
    assert selected([order(1042, **fields)]) == ([1042] if exported else [])


def test_orders_already_bound_or_held_in_quarantine_are_not_exported_again() -> None:
    assert selected([order(1041), order(1042), order(1043)], bound={1041}, held={1043}) == [1042]


def test_orders_are_exported_once_oldest_first() -> None:
    orders = [order(1043, "2026-11-20T10:00:00+01:00"), order(1042, "2026-11-20T09:00:00+00:00"),
              order(1044, "2026-11-20T08:00:00+01:00"), order(1041, None), order(1042, "2026-11-20T09:00:00+00:00")]
    # 1042 and 1043 were placed at the same moment (09:00 UTC is 10:00 in Stockholm): the lower id goes first.
    # An order without a creation time goes last.
    assert selected(orders) == [1044, 1042, 1043, 1041]


def kinds(plans: list[ExportStep]) -> list[tuple[int, str]]:
    return [(p.order.order_id, p.initial_state.value if isinstance(p, ExportPlan) else "refused") for p in plans]


def test_stock_is_promised_to_orders_in_the_order_they_are_judged() -> None:
    plans = plan_exports([order(1041, items=[("TENT-2P", 1), ("POLE-CF-120", 2)]),
                          order(1042, items=[("POLE-CF-120", 2)]),
                          order(1043, items=[("TENT-2P", 1)]),
                          order(1044, items=[("THERMOS-1L", 1)])],
                         DEMO, sellable={"POLE-CF-120": 3, "TENT-2P": 1}, known_skus=KNOWN)
    assert kinds(plans) == [(1041, "open_in_stock"), (1042, "open_backordered"), (1043, "open_backordered"),
                            (1044, "open_backordered")]  # a SKU with no sellable stock at all


def test_a_refused_order_takes_no_stock_and_says_why() -> None:
    unknown_sku = order(1041, items=[("POLE-CF-120", 2), ("NEW-1", 1)])
    plans = plan_exports([unknown_sku, order(1042, items=[("POLE-CF-120", 2)])], DEMO, sellable={"POLE-CF-120": 2},
                         known_skus=KNOWN)
    assert kinds(plans) == [(1041, "refused"), (1042, "open_in_stock")]
    refusal = plans[0]
    assert isinstance(refusal, ExportRefusal)
    assert "SKU not known in Ongoing: NEW-1" in str(refusal.error)


def test_a_planned_export_carries_the_payload_and_its_hash() -> None:
    (plan,) = plan_exports([order(1042)], DEMO, sellable={"POLE-CF-120": 5, "TENT-2P": 5}, known_skus=KNOWN)
    assert isinstance(plan, ExportPlan)
    assert (plan.payload.order_number, plan.payload.goods_owner_order_id) == ("FJ-1042", "1042")
    assert plan.payload_hash == payload_hash(plan.payload)
    assert plan.initial_state is OrderState.OPEN_IN_STOCK


@pytest.mark.parametrize(
    ("created_at", "silent"),
    [("2026-10-31T23:59:59+01:00", True), ("2026-10-31T23:00:00+00:00", False), ("2026-11-01T00:00:00+01:00", False),
     ("2026-11-20T10:00:00+01:00", False)],
)
def test_orders_placed_before_go_live_are_exported_silently(created_at: str, silent: bool) -> None:
    (plan,) = plan_exports([order(1042, created_at)], DEMO, sellable={}, known_skus=KNOWN)
    assert isinstance(plan, ExportPlan) and plan.silent is silent
