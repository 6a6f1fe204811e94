"""Tracking numbers: which number an Ongoing order shows, how long an untracked shipment waits for one,
and when a number that came after the shipment was reported must still reach Starweb.

Ongoing can reach "sent" before the shipping platform made the waybill; the number then appears on the
order later. A shipment without one is held for the merchant's grace period, counted from when it was
shipped or first seen (whichever is earlier), so the customer's email carries the tracking number. Past
the grace period it is reported without one, and a waybill that appears afterwards is written to Starweb
on its own (no status change, so no second email).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from integrations.ongoing.models import Order as OngoingOrder

# How long after shipping a reported shipment still waits for a late waybill.
LATE_WAYBILL_WINDOW = timedelta(days=7)


def tracking_number_of(order: OngoingOrder) -> str | None:
    """The order's latest waybill (shipment number); else its header waybill; else, for transporter
    services that only number parcels, its first outbound parcel number."""
    tracking = sorted((t for t in order.tracking if t.waybill), key=lambda t: (t.created is None, t.created))
    if tracking:
        return tracking[-1].waybill
    if order.order_info.way_bill:
        return order.order_info.way_bill
    parcels = [p.parcel_number for p in order.parcels if p.parcel_number and not p.is_return_parcel]
    return parcels[0] if parcels else None


def fresh_tracking_number(number: str | None, already_reported: Collection[str]) -> str | None:
    """A shipment's own tracking number: one Starweb already got for an earlier shipment of the order is
    the earlier parcel's (the order still shows it while the new waybill is being made), so it is none."""
    return None if number in already_reported else number


def held_until(tracking_number: str | None, *, shipped_at: datetime | None, first_seen: datetime,
               now: datetime, grace: timedelta) -> datetime | None:
    """Until when a shipment waits for its waybill; None: report it now (it has one, or the grace is over)."""
    if tracking_number:
        return None
    since = min(first_seen, shipped_at) if shipped_at is not None else first_seen
    deadline = since + grace
    return deadline if now < deadline else None


def late_waybill(order: OngoingOrder, already_reported: Collection[str]) -> str | None:
    """A tracking number the order shows now that Starweb was not given yet, if there is one."""
    number = tracking_number_of(order)
    return number if number and number not in already_reported else None
