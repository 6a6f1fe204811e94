"""Stock math: which orders the warehouse can fill now, and what Starweb should show as sellable.

Ongoing's ``sellableNumberOfItems`` already nets out every open order. When several new orders are
exported in one run, each one consumes the sellable stock before the next is judged, in the order
they were placed, so an "open, in stock" order never counts on units promised to an earlier one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from domain.statuses import OrderState


class SellableStock:
    """A running view of sellable units per SKU that orders consume as they are judged."""

    def __init__(self, sellable: Mapping[str, float]) -> None:
        self._left: dict[str, float] = dict(sellable)

    def left(self, sku: str) -> float:
        return self._left.get(sku, 0.0)

    def judge(self, lines: Iterable[tuple[str, float]]) -> OrderState:
        """Open in stock when every SKU's total quantity is covered; consume what the order takes."""
        wanted: dict[str, float] = defaultdict(float)
        for sku, quantity in lines:
            wanted[sku] += quantity
        covered = all(self.left(sku) >= quantity for sku, quantity in wanted.items())
        for sku, quantity in wanted.items():
            self._left[sku] = self.left(sku) - quantity
        return OrderState.OPEN_IN_STOCK if covered else OrderState.OPEN_BACKORDERED

    def judge_booked(self, lines: Iterable[tuple[str, float]]) -> OrderState:
        """An order the warehouse books already: its units are out of the sellable figure, so it is in
        stock when no SKU it needs is short (below zero) or unknown; it consumes nothing more."""
        covered = all(sku in self._left and self._left[sku] >= 0 for sku, _ in lines)
        return OrderState.OPEN_IN_STOCK if covered else OrderState.OPEN_BACKORDERED


def shop_stock(sellable: float, safety_buffer: int) -> int:
    """What Starweb should offer: the units the warehouse can still sell (its sellable figure, less what
    orders it has not booked yet hold) less the buffer, never below zero."""
    return max(0, int(sellable) - safety_buffer)
