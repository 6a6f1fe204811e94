"""Backorders stock now covers: the units free for them, handed out oldest first as at export, and only
to orders the warehouse still shows as backordered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.backorders import (
    Backorder,
    BackorderCandidate,
    as_in_stock,
    backorders_in_warehouse,
    covered_backorders,
    sellable_now,
)
from domain.release import ReleaseCandidate
from integrations.ongoing.models import Article
from tests.domain.test_shipments import line, ongoing
from tests.integrations.ongoing.payloads import article_json

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
BACKORDERED = 211


def article(sku: str, sellable: float, *, physical: float = 0, booked: float = 0) -> Article:
    raw = article_json(1, sku, sellable=sellable)
    raw["inventoryInfo"].update(numberOfItems=physical, numberOfBookedItems=booked, lockedForSaleNumberOfItems=0)
    return Article.model_validate(raw)


def backorder(order_id: int, hours_old: int, **booked: float) -> Backorder:
    return Backorder(order_id, f"FJ-{order_id}", 50000 + order_id, T0 - timedelta(hours=hours_old), booked)


@pytest.mark.parametrize(
    ("sellable", "expected"),
    [
        # Three headlamps arrived; Ongoing nets out both backorders (2 + 2): sellable −1, so 3 are free for
        # them: the older one (2) is covered, the younger (2) is not.
        (-1, [1]),
        (1, [1, 2]),  # enough for both
        (-3, []),  # one arrived: not enough for the older, and the younger may not jump the queue
    ],
)
def test_backorders_are_covered_oldest_first(sellable: float, expected: list[int]) -> None:
    backorders = [backorder(2, 1, LAMP=2), backorder(1, 5, LAMP=2)]
    covered = covered_backorders(backorders, {"LAMP": article("LAMP", sellable, physical=99)})
    assert [b.starweb_order_id for b in covered] == expected


def test_every_line_must_be_covered_and_a_sku_unknown_to_the_warehouse_covers_nothing() -> None:
    articles = {"LAMP": article("LAMP", 5), "TENT": article("TENT", -1, physical=0, booked=1)}
    backorders = [backorder(1, 3, LAMP=1, TENT=1), backorder(2, 2, LAMP=1, GONE=1), backorder(3, 1, LAMP=1)]
    assert [b.starweb_order_id for b in covered_backorders(backorders, articles)] == [3]


@pytest.mark.parametrize(
    ("sellable", "physical", "booked", "expected"),
    [
        (4, 0, 0, 4),  # positive: Ongoing's figure as it is
        (-2, 1, 3, -2),  # negative: as reported
        (0, 1, 3, -2),  # stopped at zero: the parts say what it really is
        (0, 3, 3, 0),  # exactly zero
        (0, 9, 3, 0),  # parts higher than the figure: never more than Ongoing says
    ],
)
def test_a_sellable_figure_stopped_at_zero_is_checked_against_its_parts(sellable: float, physical: float,
                                                                        booked: float, expected: float) -> None:
    assert sellable_now(article("LAMP", sellable, physical=physical, booked=booked)) == expected


def test_a_figure_stopped_at_zero_does_not_look_like_free_stock() -> None:
    # 0 on the shelf, two backorders of 2 booked: Ongoing may say 0 instead of −4; nothing is covered.
    backorders = [backorder(1, 2, LAMP=2), backorder(2, 1, LAMP=2)]
    assert covered_backorders(backorders, {"LAMP": article("LAMP", 0, physical=0, booked=4)}) == []


def warehouse_order(number: str, status: int, *lines: dict[str, Any]) -> Any:
    return ongoing(*lines, status=status, number=number)


def test_only_orders_the_warehouse_still_shows_as_backordered_count_with_what_they_still_book() -> None:
    candidates = [BackorderCandidate(1, "FJ-1", T0), BackorderCandidate(2, "FJ-2", T0),
                  BackorderCandidate(3, "FJ-3", T0)]
    warehouse = {"FJ-1": warehouse_order("FJ-1", BACKORDERED, line("1", "LAMP", 3, picked=1), line("2", "TENT", 1,
                                                                                                  picked=0)),
                 "FJ-2": warehouse_order("FJ-2", 300, line("1", "LAMP", 1, picked=0))}  # the TPL released it
    (found,) = backorders_in_warehouse(candidates, warehouse, backordered_status=BACKORDERED)
    assert (found.starweb_order_id, found.order_number, found.booked) == (1, "FJ-1", {"LAMP": 2.0, "TENT": 1.0})


def test_a_dry_run_shows_covered_backorders_as_in_stock_to_the_release() -> None:
    def candidate(order_id: int) -> ReleaseCandidate:
        return ReleaseCandidate(order_id, order_id, f"FJ-{order_id}", 1, "open_backordered", T0, False, False, 1, 1)

    assert [c.state for c in as_in_stock([candidate(1), candidate(2)], [2])] == ["open_backordered",
                                                                                 "open_in_stock"]
