"""Reading an order back after an edit was pushed: converged, rows to set to 0, or a difference a
person has to look at — for every way a warehouse may hold what was sent."""

from __future__ import annotations

from typing import Any

import pytest

from domain.line_readback import LinesAsSent, LinesDiffer, ZeroLeftoverRows, compare_read_back
from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import OrderLineWrite, OrderWrite
from tests.integrations.ongoing.payloads import order_json


def sent(*rows: tuple[str, str, float]) -> OrderWrite:
    return OrderWrite(order_number="FJ-1042", delivery_date="2026-10-10", consignee={"name": "Anna Andersson"},
                      order_lines=[OrderLineWrite(row_number=row, article_number=sku, number_of_items=units)
                                   for row, sku, units in rows])


def held(*rows: tuple[str, str | None, float]) -> OngoingOrder:
    body: dict[str, Any] = order_json(50163, "FJ-1042", status=210)
    template = body["orderLines"][0]
    body["orderLines"] = [{**template, "id": 48800 + i, "rowNumber": row, "orderedNumberOfItems": units,
                           "article": {**template["article"], "articleNumber": sku} if sku else None}
                          for i, (row, sku, units) in enumerate(rows)]
    return OngoingOrder.model_validate(body)


POLES = ("1", "POLE-CF-120", 2.0)
TENT = ("2", "TENT-2P", 1.0)


@pytest.mark.parametrize(
    "read_back",
    [held(POLES), held(POLES, ("2", "TENT-2P", 0.0))],
    ids=["row-deleted", "row-kept-at-zero"],
)
def test_a_removed_row_that_is_gone_or_at_zero_means_the_lines_are_as_sent(read_back: OngoingOrder) -> None:
    assert compare_read_back(sent(POLES), read_back) == LinesAsSent()


def test_a_removed_row_still_holding_units_is_sent_again_at_zero() -> None:
    outcome = compare_read_back(sent(POLES), held(POLES, TENT))
    assert isinstance(outcome, ZeroLeftoverRows)
    assert outcome.rows == ["2"]
    assert [(li.row_number, li.article_number, li.number_of_items) for li in outcome.payload.order_lines or []] == [
        ("1", "POLE-CF-120", 2.0), ("2", "TENT-2P", 0.0)]


@pytest.mark.parametrize(
    ("read_back", "expected"),
    [
        (held(("1", "POLE-CF-120", 1.0)), "row 1: sent 2 × POLE-CF-120, Ongoing shows 1 × POLE-CF-120"),
        (held(("1", "TENT-2P", 2.0)), "row 1: sent 2 × POLE-CF-120, Ongoing shows 2 × TENT-2P"),
        (held(), "row 1 (2 × POLE-CF-120) is missing"),
        (held(POLES, ("2", None, 1.0)), "row 2 should be gone but Ongoing shows it without an article"),
    ],
    ids=["quantity", "article", "missing", "no-article"],
)
def test_anything_else_not_as_sent_is_a_difference_naming_the_row(read_back: OngoingOrder, expected: str) -> None:
    outcome = compare_read_back(sent(POLES), read_back)
    assert outcome == LinesDiffer(f"Ongoing order FJ-1042 does not hold the lines as sent: {expected}")


def test_a_row_sent_at_zero_that_still_holds_units_is_a_difference() -> None:
    outcome = compare_read_back(sent(POLES, ("2", "TENT-2P", 0.0)), held(POLES, TENT))
    assert isinstance(outcome, LinesDiffer) and "row 2: sent 0 × TENT-2P, Ongoing shows 1 × TENT-2P" in outcome.reason
