"""Stock bookkeeping of the simulated warehouse: pure functions from quantities to ``inventoryInfo``.

Physical stock (``numberOfItems``) is a counter the warehouse changes (receipts, shipments, restocking
returns, stock-taking). Everything else is derived from orders and purchase orders: what open orders
still need from the shelves is booked, what is picked but not yet shipped is allocated and locked for
sale, and what open purchase orders still advise is to be received. ``sellableNumberOfItems`` follows
Ongoing's published formula: physical − lockedForSale − max(0, ordered − allocated) over open orders.
Each order's and purchase order's part of that demand is a sum over its own lines (``order_demand``), so
an article's figures can be kept up to date from the documents that change, one write at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from integrations.ongoing.simulator.statuses import CANCELLED, PO_CANCELLED, PO_RECEIVED, SENT

ArticleKey = int | str  # the simulator uses articleSystemId; tests may use article numbers


@dataclass(frozen=True)
class OrderLineQuantities:
    article: ArticleKey
    ordered: float
    picked: float = 0.0
    shipped: float = 0.0
    returned: float = 0.0
    reported: float | None = None
    reported_returned: float | None = None


@dataclass(frozen=True)
class OrderQuantities:
    status: int
    lines: tuple[OrderLineQuantities, ...]


@dataclass(frozen=True)
class PurchaseLineQuantities:
    article: ArticleKey
    advised: float
    received: float = 0.0
    reported: float | None = None


@dataclass(frozen=True)
class PurchaseOrderQuantities:
    status: int
    lines: tuple[PurchaseLineQuantities, ...]


@dataclass(frozen=True)
class Inventory:
    """One article's stock figures, named after ``GetArticleInventoryInfo``."""

    number_of_items: float = 0.0
    number_of_booked_items: float = 0.0
    allocated_number_of_items: float = 0.0
    locked_for_sale_number_of_items: float = 0.0
    picked_to_be_collected_number_of_items: float = 0.0
    to_receive_number_of_items: float = 0.0
    sellable_number_of_items: float = 0.0
    picked_to_be_reported_number_of_items: float = 0.0
    returned_to_be_reported_number_of_items: float = 0.0
    received_to_be_reported_number_of_items: float = 0.0


def books_stock(order_status: int) -> bool:
    """Orders book stock until they are sent (450 and above covers collected, returned, cancelled)."""
    return order_status < SENT


def expects_receipt(purchase_order_status: int) -> bool:
    return purchase_order_status not in (PO_RECEIVED, PO_CANCELLED)


def sellable(physical: float, locked_for_sale: float, ordered: float, allocated: float) -> float:
    """Ongoing's definition; negative when open orders want more than the warehouse holds."""
    return physical - locked_for_sale - max(0.0, ordered - allocated)


def in_house(line: OrderLineQuantities, order_status: int) -> float:
    """Picked units still in the warehouse; a cancelled order's picks go back to the shelves."""
    return 0.0 if order_status == CANCELLED else max(0.0, line.picked - line.shipped)


def still_to_pick(line: OrderLineQuantities, order_status: int) -> float:
    return max(0.0, line.ordered - line.picked) if books_stock(order_status) else 0.0


@dataclass
class Demand:
    """What orders and purchase orders want of one article, summed: everything but physical stock."""

    booked: float = 0.0
    allocated: float = 0.0
    to_receive: float = 0.0
    picked_to_report: float = 0.0
    returned_to_report: float = 0.0
    received_to_report: float = 0.0

    def add(self, other: Demand, sign: float = 1.0) -> None:
        for name, value in asdict(other).items():
            # Rounded so that adding and taking away the same quantities leaves no float dust behind.
            setattr(self, name, round(getattr(self, name) + sign * value, 9))

    def is_zero(self) -> bool:
        return not any(asdict(self).values())


def order_demand(order: OrderQuantities) -> dict[ArticleKey, Demand]:
    """One order's part of each article's demand."""
    result: dict[ArticleKey, Demand] = {}
    for line in order.lines:
        d = result.setdefault(line.article, Demand())
        d.booked += still_to_pick(line, order.status)
        d.allocated += in_house(line, order.status)
        d.picked_to_report += max(0.0, line.picked - (line.reported or 0.0))
        d.returned_to_report += max(0.0, line.returned - (line.reported_returned or 0.0))
    return result


def purchase_order_demand(purchase_order: PurchaseOrderQuantities) -> dict[ArticleKey, Demand]:
    """One purchase order's part of each article's demand."""
    result: dict[ArticleKey, Demand] = {}
    for po_line in purchase_order.lines:
        d = result.setdefault(po_line.article, Demand())
        if expects_receipt(purchase_order.status):
            d.to_receive += max(0.0, po_line.advised - po_line.received)
        d.received_to_report += max(0.0, po_line.received - (po_line.reported or 0.0))
    return result


def inventory(on_hand: float, demand: Demand, *, sellable_floor_zero: bool = False) -> Inventory:
    """An article's figures from its physical stock and its demand."""
    # Booked demand is exactly what is left to allocate: ordered − allocated per open line.
    figure = sellable(on_hand, demand.allocated, demand.booked, 0.0)
    return Inventory(
        number_of_items=on_hand,
        number_of_booked_items=demand.booked,
        allocated_number_of_items=demand.allocated,
        locked_for_sale_number_of_items=demand.allocated,
        picked_to_be_collected_number_of_items=demand.allocated,
        to_receive_number_of_items=demand.to_receive,
        sellable_number_of_items=(max(0.0, figure) if sellable_floor_zero else figure),
        picked_to_be_reported_number_of_items=demand.picked_to_report,
        returned_to_be_reported_number_of_items=demand.returned_to_report,
        received_to_be_reported_number_of_items=demand.received_to_report,
    )


def compute_inventories(
    physical: Mapping[ArticleKey, float],
    orders: Iterable[OrderQuantities],
    purchase_orders: Iterable[PurchaseOrderQuantities],
    *,
    sellable_floor_zero: bool = False,
) -> dict[ArticleKey, Inventory]:
    """Inventory figures for every article in ``physical`` (articles without stock count as 0). Whether
    Ongoing stops ``sellableNumberOfItems`` at zero is not documented: ``sellable_floor_zero`` plays that."""
    totals: dict[ArticleKey, Demand] = {number: Demand() for number in physical}
    parts = [*(order_demand(o) for o in orders), *(purchase_order_demand(po) for po in purchase_orders)]
    for part in parts:
        for article, demand in part.items():
            totals.setdefault(article, Demand()).add(demand)
    return {number: inventory(float(physical.get(number, 0.0)), demand, sellable_floor_zero=sellable_floor_zero)
            for number, demand in totals.items()}
