"""Unbooked stock: units that Starweb orders hold but the warehouse does not book yet.

Starweb takes stock when an order is placed; Ongoing books it only once the order is exported. An order
in a status the connector exports from (by default new and paid) that is not exported yet — just placed,
quarantined, or held back — holds units that Ongoing's sellable figure still offers. Starweb must not be
given those units back, so the stock sync subtracts them from the warehouse's figure. An order stops
holding unbooked units when it is exported, cancelled or moved to a status the connector does not
export from (it then belongs to someone else's process).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.order_mapping import order_lines
from integrations.starweb.models import Order


@dataclass(frozen=True)
class UnbookedOrder:
    """One Starweb order and the units per SKU the warehouse will book once it has the order."""

    order_id: int
    units: dict[str, float]
    modified_at: datetime | None = None


def order_units(order: Order) -> dict[str, float]:
    """Units per SKU as the warehouse will book them (bundles as their parts)."""
    units: dict[str, float] = defaultdict(float)
    for sku, quantity in order_lines(order):
        units[sku] += quantity
    return dict(units)


def holds_unbooked_units(order: Order, holding_status_ids: Collection[int]) -> bool:
    """Is this order waiting to be exported (so Starweb holds its units and the warehouse does not)?"""
    return order.status_id in holding_status_ids and order.is_complete is not False


def update_unbooked(known: Mapping[int, UnbookedOrder], seen: Iterable[Order], *,
                    holding_status_ids: Collection[int]) -> dict[int, UnbookedOrder]:
    """The unbooked orders known before, brought up to date with orders just read from Starweb: a seen
    order that waits for export is (re)recorded with its current items, any other seen order is dropped."""
    current = dict(known)
    for order in seen:
        units = order_units(order) if holds_unbooked_units(order, holding_status_ids) else {}
        if units:
            current[order.order_id] = UnbookedOrder(order.order_id, units, order.modified_at)
        else:
            current.pop(order.order_id, None)
    return current


def booked_orders(exported_at: Mapping[int, datetime | None], *, warehouse_read_at: datetime) -> set[int]:
    """Orders the warehouse's figures include: exported before those figures were read. An order exported
    while they were being read may be missing from them, so it still counts as unbooked (safe side)."""
    return {order_id for order_id, at in exported_at.items() if at is None or at < warehouse_read_at}


def unbooked_units(orders: Mapping[int, UnbookedOrder], *, booked: Collection[int]) -> dict[str, float]:
    """Units per SKU held by the orders the warehouse's figures do not include (all but ``booked``)."""
    total: dict[str, float] = defaultdict(float)
    for order_id, order in orders.items():
        if order_id in booked:
            continue
        for sku, quantity in order.units.items():
            total[sku] += quantity
    return dict(total)
