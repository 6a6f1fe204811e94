"""Daily statistics: what the connector did for a merchant on one calendar day in the merchant's timezone.

Counted from the ledger: orders exported and released, shipments reported (a full delivery or a partial
one), customer emails the shipment status changes triggered, and the median time from the Starweb order
to its first shipment. A day runs from local midnight to local midnight, so it is 23 or 25 hours long
when the clocks change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

# Shipment states in which the Starweb status change (and so its email) has happened.
STATUS_CHANGED_STATES = ("status_changed", "acknowledged")


@dataclass(frozen=True)
class OrderTimes:
    starweb_order_id: int
    starweb_created_at: datetime | None
    exported_at: datetime | None
    released_at: datetime | None
    shipped_at: datetime | None  # the first shipment


@dataclass(frozen=True)
class ShipmentTimes:
    starweb_order_id: int
    partial: bool
    send_email: bool
    state: str
    intent_at: datetime
    status_changed_at: datetime | None
    shipped_at: datetime | None  # when the warehouse shipped it; unknown for some


@dataclass(frozen=True)
class DailyStatistics:
    day: date
    orders_exported: int
    orders_released: int
    shipments_full: int
    shipments_partial: int
    emails_triggered: int
    orders_shipped: int  # orders whose first shipment left that day
    median_hours_to_shipment: float | None  # over those orders; None when none shipped

    def as_dict(self) -> dict[str, float]:
        """The figures by name (the day itself and an unmeasurable median are left out)."""
        return {f.name: float(value) for f in fields(self)
                if f.name != "day" and (value := getattr(self, f.name)) is not None}


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight of ``day`` and of the next day, as aware datetimes."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def previous_day(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date() - timedelta(days=1)


def _times(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column], utc=True)


def daily_statistics(day: date, zone: ZoneInfo, orders: Iterable[OrderTimes],
                     shipments: Iterable[ShipmentTimes]) -> DailyStatistics:
    start, end = (pd.Timestamp(moment) for moment in day_bounds(day, zone))
    order_table = pd.DataFrame([asdict(o) for o in orders], columns=[f.name for f in fields(OrderTimes)])
    shipment_table = pd.DataFrame([asdict(s) for s in shipments], columns=[f.name for f in fields(ShipmentTimes)])

    def on_day(times: pd.Series) -> pd.Series:
        return (times >= start) & (times < end)

    shipped = _times(shipment_table, "shipped_at").fillna(_times(shipment_table, "intent_at"))
    shipped_today = shipment_table[on_day(shipped)]
    partial = shipped_today["partial"].astype(bool)
    emailed = (shipment_table["send_email"].astype(bool) & shipment_table["state"].isin(STATUS_CHANGED_STATES)
               & on_day(_times(shipment_table, "status_changed_at")))

    first_shipped = _times(order_table, "shipped_at")
    measured = order_table[on_day(first_shipped)]
    hours = (_times(measured, "shipped_at") - _times(measured, "starweb_created_at")).dropna().dt.total_seconds() / 3600
    return DailyStatistics(
        day=day,
        orders_exported=int(on_day(_times(order_table, "exported_at")).sum()),
        orders_released=int(on_day(_times(order_table, "released_at")).sum()),
        shipments_full=int((~partial).sum()),
        shipments_partial=int(partial.sum()),
        emails_triggered=int(emailed.sum()),
        orders_shipped=len(measured),
        median_hours_to_shipment=round(float(hours.median()), 2) if len(hours) else None,
    )


def statistics_markdown(stats: DailyStatistics, merchant_id: str) -> str:
    median = f"{stats.median_hours_to_shipment:g} h" if stats.median_hours_to_shipment is not None else "—"
    rows = [("Orders exported to the warehouse", stats.orders_exported),
            ("Orders released to picking", stats.orders_released),
            ("Shipments reported, complete", stats.shipments_full),
            ("Shipments reported, partial", stats.shipments_partial),
            ("Customer emails triggered", stats.emails_triggered),
            ("Orders shipped (first shipment)", stats.orders_shipped),
            ("Median time from order to first shipment", median)]
    lines = [f"# Statistics for {merchant_id}, {stats.day.isoformat()}", "", "| figure | value |", "|---|---|"]
    return "\n".join(lines + [f"| {name} | {value} |" for name, value in rows])
