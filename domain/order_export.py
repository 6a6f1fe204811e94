"""Choosing which Starweb orders to export now, and how each one starts in the warehouse.

An order is exported once: when it is in an exportable status (by default new and paid), not yet
bound in the ledger and not held in quarantine. Oldest first, each order is mapped to an Ongoing order
and judged against the warehouse's sellable stock — "open, in stock" when every line is covered,
"open, backordered" otherwise. Orders placed before the go-live cutoff are exported silently.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.config import MerchantConfig
from domain.hashing import payload_hash
from domain.order_mapping import order_lines, to_ongoing_order
from domain.statuses import OrderState
from domain.stock import SellableStock
from integrations.errors import MappingError
from integrations.ongoing.models import OrderWrite
from integrations.starweb.models import Order


@dataclass(frozen=True)
class ExportPlan:
    order: Order
    payload: OrderWrite
    payload_hash: str
    initial_state: OrderState
    silent: bool


@dataclass(frozen=True)
class ExportRefusal:
    order: Order
    error: MappingError


def is_exportable(order: Order, exportable_status_ids: Collection[int]) -> bool:
    # Starweb hides unpaid orders by default; isComplete guards orders fetched by id.
    return order.status_id in exportable_status_ids and order.is_complete is not False


def is_before_go_live(order: Order, cutoff: datetime | None) -> bool:
    return cutoff is not None and order.created_at is not None and order.created_at < cutoff


def select_for_export(orders: Iterable[Order], *, exportable_status_ids: Collection[int],
                      bound_order_ids: Collection[int], held_order_ids: Collection[int]) -> list[Order]:
    """New exportable orders, each once, oldest first (so earlier customers get the stock first)."""
    unique = {o.order_id: o for o in orders}
    chosen = [o for o in unique.values()
              if is_exportable(o, exportable_status_ids) and o.order_id not in bound_order_ids
              and o.order_id not in held_order_ids]
    return sorted(chosen, key=lambda o: (o.created_at is None, o.created_at, o.order_id))


def plan_exports(orders: Iterable[Order], merchant: MerchantConfig, *, sellable: Mapping[str, float],
                 known_skus: Collection[str]) -> list[ExportPlan | ExportRefusal]:
    """Map each order and choose its initial state; a problem order is refused with the reason."""
    stock = SellableStock(sellable)
    plans: list[ExportPlan | ExportRefusal] = []
    for order in orders:
        try:
            payload = to_ongoing_order(order, merchant, known_skus=known_skus)
        except MappingError as error:
            plans.append(ExportRefusal(order, error))
            continue
        state = stock.judge(order_lines(order))
        plans.append(ExportPlan(order, payload, payload_hash(payload), state,
                                silent=is_before_go_live(order, merchant.go_live_cutoff)))
    return plans
