"""Daily statistics from ledger rows: counts per day in the merchant's timezone, full versus partial
shipments, emails only where the status change happened, and the median time to the first shipment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.statistics import (
    DailyStatistics,
    OrderTimes,
    ShipmentTimes,
    daily_statistics,
    day_bounds,
    previous_day,
    statistics_markdown,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAY = date(2026, 11, 27)  # UTC+1: the day runs from 26 Nov 23:00 UTC to 27 Nov 23:00 UTC


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def order(order_id: int, *, created: datetime | None = None, exported: datetime | None = None,
          released: datetime | None = None, shipped: datetime | None = None) -> OrderTimes:
    return OrderTimes(order_id, created, exported, released, shipped)


def shipment(order_id: int, shipped: datetime | None, *, partial: bool = False, email: bool = True,
             state: str = "acknowledged", status_changed: datetime | None = None,
             intent: datetime | None = None) -> ShipmentTimes:
    intent = intent or shipped or utc(27, 12)
    return ShipmentTimes(order_id, partial, email, state, intent,
                         status_changed or (intent if state != "intent" else None), shipped)


def test_the_day_follows_the_merchants_midnights_not_utcs() -> None:
    orders = [order(1, exported=utc(26, 23, 0)),   # 00:00 in Stockholm on the 27th: counted
              order(2, exported=utc(26, 22, 59)),  # 23:59 on the 26th: not counted
              order(3, exported=utc(27, 22, 59)),  # 23:59 on the 27th: counted
              order(4, exported=utc(27, 23, 0))]   # midnight into the 28th: not counted
    assert daily_statistics(DAY, STOCKHOLM, orders, []).orders_exported == 2


def test_a_day_when_the_clocks_change_is_23_or_25_hours_long() -> None:
    spring_start, spring_end = day_bounds(date(2026, 3, 29), STOCKHOLM)
    autumn_start, autumn_end = day_bounds(date(2026, 10, 25), STOCKHOLM)
    assert spring_end.astimezone(UTC) - spring_start.astimezone(UTC) == timedelta(hours=23)
    assert autumn_end.astimezone(UTC) - autumn_start.astimezone(UTC) == timedelta(hours=25)


def test_yesterday_is_the_merchants_yesterday() -> None:
    assert previous_day(utc(27, 23, 30), STOCKHOLM) == date(2026, 11, 27), "already the 28th in Stockholm"
    assert previous_day(utc(27, 22, 30), STOCKHOLM) == date(2026, 11, 26)


def test_exported_and_released_are_counted_by_their_own_moments() -> None:
    orders = [order(1, exported=utc(27, 8), released=utc(27, 12)),
              order(2, exported=utc(26, 8), released=utc(27, 6)),
              order(3, exported=utc(27, 9))]
    stats = daily_statistics(DAY, STOCKHOLM, orders, [])
    assert (stats.orders_exported, stats.orders_released) == (2, 2)


def test_shipments_are_split_into_full_and_partial_by_the_day_they_left() -> None:
    shipments = [shipment(1, utc(27, 10)), shipment(2, utc(27, 11), partial=True),
                 shipment(2, utc(27, 15), partial=False), shipment(3, utc(28, 9)),
                 shipment(4, None, intent=utc(27, 16), partial=True)]  # no ship time: the report's time counts
    stats = daily_statistics(DAY, STOCKHOLM, [], shipments)
    assert (stats.shipments_full, stats.shipments_partial) == (2, 2)


def test_an_email_counts_only_when_it_was_on_and_the_status_change_happened() -> None:
    shipments = [shipment(1, utc(27, 10)),
                 shipment(2, utc(27, 10), email=False),
                 shipment(3, utc(27, 10), state="intent"),  # the status change has not happened (yet)
                 shipment(4, utc(27, 10), state="status_changed"),
                 shipment(5, utc(26, 10), status_changed=utc(27, 7))]  # shipped the day before, mailed today
    assert daily_statistics(DAY, STOCKHOLM, [], shipments).emails_triggered == 3


def test_median_hours_from_order_to_first_shipment_of_orders_shipped_that_day() -> None:
    orders = [order(1, created=utc(27, 6), shipped=utc(27, 8)),     # 2 h
              order(2, created=utc(26, 12), shipped=utc(27, 12)),   # 24 h
              order(3, created=utc(27, 9), shipped=utc(27, 14)),    # 5 h
              order(4, created=utc(20, 9), shipped=utc(26, 9)),     # shipped another day
              order(5, created=None, shipped=utc(27, 10))]          # no creation time: not measured
    stats = daily_statistics(DAY, STOCKHOLM, orders, [])
    assert stats.median_hours_to_shipment == 5.0
    assert stats.orders_shipped == 4
    even = daily_statistics(DAY, STOCKHOLM, orders[:2], [])
    assert even.median_hours_to_shipment == 13.0


def test_a_quiet_day_has_zero_counts_and_no_median() -> None:
    stats = daily_statistics(DAY, STOCKHOLM, [], [])
    assert stats == DailyStatistics(DAY, 0, 0, 0, 0, 0, 0, None)
    assert "median_hours_to_shipment" not in stats.as_dict()
    assert stats.as_dict()["orders_exported"] == 0.0
    assert "| Median time from order to first shipment | — |" in statistics_markdown(stats, "demo")
