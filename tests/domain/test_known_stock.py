"""Starweb's stock figure known without a read: the last figure the connector wrote or saw, less the units
Starweb's orders took since, exactly or not at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.known_stock import DOUBT_WINDOW, clock_agrees, known_figures, listing_reaches, worth_another_page
from domain.stock_sync import SaleLine, StarwebBaseline

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
WRITTEN = StarwebBaseline("TENT", 10, seen_from=NOW - timedelta(hours=1, seconds=1),
                          seen_until=NOW - timedelta(hours=1))
LISTED_BACK_TO = NOW - timedelta(hours=2)


def sale(quantity: float, created: datetime, *, sku: str = "TENT", cancelled: bool = False,
         modified: datetime | None = None) -> SaleLine:
    return SaleLine(1, sku, quantity, created, modified or created, cancelled)


def figure(*sales: SaleLine, baseline: StarwebBaseline = WRITTEN,
           listed_back_to: datetime = LISTED_BACK_TO) -> int | None:
    return known_figures([baseline], sales, as_of=NOW, listed_back_to=listed_back_to).get(baseline.sku)


@pytest.mark.parametrize(
    ("sales", "expected"),
    [
        ((), 10),
        ((sale(2, NOW - timedelta(minutes=30)), sale(1, NOW - timedelta(minutes=5))), 7),
        ((sale(5, NOW - timedelta(minutes=5), sku="SOCK"),), 10),  # another SKU's order
        ((sale(4, NOW - timedelta(hours=3)),), 10),  # placed before the figure was written: in it already
        ((sale(2, NOW - timedelta(minutes=30), cancelled=True),), 10),  # placed and cancelled since: nothing
        ((sale(2, NOW + timedelta(seconds=10)),), 10),  # placed after the listing began: not in the figure yet
        # In doubt: stamped while the figure was written, or as the listing began, give or take the doubt
        # window (whole-second stamps, and clocks that may be a second apart).
        ((sale(2, WRITTEN.seen_from + timedelta(milliseconds=500)),), None),
        ((sale(2, WRITTEN.seen_from - timedelta(milliseconds=300)),), None),
        ((sale(2, WRITTEN.seen_until + timedelta(seconds=2)),), None),
        ((sale(2, NOW - timedelta(milliseconds=400)),), None),
        ((sale(2, NOW + timedelta(seconds=2)),), None),
        # An older order cancelled since the figure was written may or may not have given its units back.
        ((sale(3, NOW - timedelta(hours=3), cancelled=True, modified=NOW - timedelta(minutes=20)),), None),
        ((sale(3, NOW - timedelta(hours=3), cancelled=True, modified=NOW - timedelta(hours=2)),), 10),
    ],
    ids=["no-orders", "two-sales", "other-sku", "before-the-write", "placed-and-cancelled", "after-the-listing",
         "during-the-write", "in-the-writes-second", "just-after-the-write", "as-the-listing-began",
         "stamped-ahead-of-the-listing", "cancelled-since", "cancelled-before"],
)
def test_the_figure_is_the_last_one_less_what_orders_took_since_or_unknown_when_in_doubt(
        sales: tuple[SaleLine, ...], expected: int | None) -> None:
    assert figure(*sales) == expected


def test_a_figure_is_known_only_where_the_listing_reaches_back_to_when_it_was_seen() -> None:
    too_short = WRITTEN.seen_from - timedelta(milliseconds=500)  # not a whole second of slack before it
    assert figure(listed_back_to=too_short) is None
    assert figure(listed_back_to=WRITTEN.seen_from - DOUBT_WINDOW) == 10
    assert listing_reaches([WRITTEN], NOW) == set()


def test_more_pages_only_while_more_skus_wait_for_them_than_were_read() -> None:
    old = [StarwebBaseline(f"SKU-{n}", 5, NOW - timedelta(hours=5), NOW - timedelta(hours=5)) for n in range(3)]
    fresh = StarwebBaseline("FRESH", 5, NOW - timedelta(minutes=1), NOW - timedelta(minutes=1))
    reached_fresh = NOW - timedelta(minutes=2)
    assert worth_another_page([fresh, *old], reached_fresh, pages_read=2), "3 SKUs still wait, 2 pages read"
    assert not worth_another_page([fresh, *old], reached_fresh, pages_read=3), "reading them one by one is cheaper"
    assert not worth_another_page([fresh], reached_fresh, pages_read=1)


def test_figures_are_worked_out_only_while_starwebs_clock_agrees_with_the_connectors() -> None:
    asked, answered = NOW, NOW + timedelta(milliseconds=200)
    # The Date header is whole seconds: a shop clock in step shows the second the request was in.
    assert clock_agrees(NOW.replace(microsecond=0), asked, answered)
    assert clock_agrees(NOW + timedelta(seconds=1), asked, answered)
    assert not clock_agrees(NOW + timedelta(seconds=5), asked, answered), "Starweb five seconds ahead"
    assert not clock_agrees(NOW - timedelta(minutes=5), asked, answered), "Starweb five minutes behind"
    assert not clock_agrees(None, asked, answered), "no Date header: the clocks cannot be compared"
