"""Choosing which Starweb orders to export now, and how each one starts in the warehouse.

An order is exported once: when it is in an exportable status (by default new and paid), not yet
bound in the ledger and not held in quarantine. Oldest first, each order is mapped to an Ongoing order
and judged against the warehouse's sellable stock — "open, in stock" when every line is covered,
"open, backordered" otherwise. Orders placed before the go-live cutoff are exported silently.

An order the warehouse already holds under its number is adopted, never sent again: on a first
activation the merchant's previous integration sent it, after a lost or busy ledger this connector did.
It is bound as the warehouse holds it; if it still sits in the warehouse's start status it gets its
initial status like an export.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.config import MerchantConfig
from domain.hashing import payload_hash
from domain.order_mapping import order_lines, to_ongoing_order
from domain.order_sync import AgreedRows, with_agreed_row_numbers
from domain.statuses import OrderState, StatusTable
from domain.stock import SellableStock
from integrations.errors import MappingError
from integrations.ongoing.models import Order as OngoingOrder
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


@dataclass(frozen=True)
class AdoptedLine:
    """A line as the warehouse holds it, with the Starweb item it belongs to where that is clear."""

    row_number: str
    sku: str
    quantity: float
    starweb_item_id: int | None
    ongoing_line_id: int


@dataclass(frozen=True)
class Adoption:
    """An order Ongoing already holds under its number: bind it, do not send it."""

    order: Order
    order_number: str
    ongoing_order_id: int
    ongoing_status: int | None
    lines: list[AdoptedLine]
    # The hash of what the connector would send now, so a later Starweb edit is told from no edit; None
    # when the order cannot be mapped (then any later edit is judged as a change).
    payload_hash: str | None
    state: OrderState  # the warehouse's state, or the initial state to set when it is still in the start status
    needs_initial_status: bool
    silent: bool


ExportStep = ExportPlan | ExportRefusal | Adoption


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
                 known_skus: Collection[str], in_warehouse: Mapping[str, OngoingOrder] | None = None,
                 table: StatusTable | None = None) -> list[ExportStep]:
    """Map each order and choose its initial state; a problem order is refused with the reason; an order
    Ongoing already holds (``in_warehouse``, by order number) is adopted."""
    stock = SellableStock(sellable)
    plans: list[ExportStep] = []
    for order in orders:
        existing = (in_warehouse or {}).get(merchant.order_number(order.order_id))
        if existing is not None:
            if table is None:
                raise ValueError("adopting orders needs the merchant's status table")
            plans.append(plan_adoption(order, existing, merchant, table, known_skus=known_skus, stock=stock))
            continue
        try:
            payload = to_ongoing_order(order, merchant, known_skus=known_skus)
        except MappingError as error:
            plans.append(ExportRefusal(order, error))
            continue
        state = stock.judge(order_lines(order))
        plans.append(ExportPlan(order, payload, payload_hash(payload), state,
                                silent=is_before_go_live(order, merchant.go_live_cutoff)))
    return plans


def plan_adoption(order: Order, existing: OngoingOrder, merchant: MerchantConfig, table: StatusTable, *,
                  known_skus: Collection[str], stock: SellableStock | None = None) -> Adoption:
    """Bind ``order`` to the warehouse's order with its number, as the warehouse holds it."""
    lines = adopted_lines(order, existing)
    number = existing.status_number
    in_start_status = number is None or table.state_of_ongoing(number) is OrderState.OPEN
    if number is not None and not in_start_status:
        state = table.state_of_ongoing(number)
    else:
        # The warehouse books this order already, so Ongoing's sellable figure has it taken out.
        judge = stock or SellableStock({})
        state = judge.judge_booked((line.sku, line.quantity) for line in lines)
    try:
        payload = with_agreed_row_numbers(to_ongoing_order(order, merchant, known_skus=known_skus),
                                          AgreedRows(lines))
        digest: str | None = payload_hash(payload)
    except MappingError:
        digest = None
    return Adoption(order, existing.order_number, existing.order_id, number, lines, digest, state,
                    needs_initial_status=in_start_status, silent=is_before_go_live(order, merchant.go_live_cutoff))


def adopted_lines(order: Order, existing: OngoingOrder) -> list[AdoptedLine]:
    """The warehouse's lines, each tied to its Starweb item: by row number where the connector numbered the
    row (the itemId, with the same SKU), else by SKU when exactly one item has it (another integration
    numbered 1, 2, 3 …)."""
    sku_of_item = {item.item_id: str(item.sku) for item in order.items or []}
    by_sku: dict[str, list[int]] = {}
    for known_item, item_sku in sku_of_item.items():
        by_sku.setdefault(item_sku, []).append(known_item)
    lines = []
    for line in existing.order_lines:
        row = line.row_number or str(line.id)
        sku = (line.article.article_number if line.article else None) or ""
        if row.isdigit() and sku_of_item.get(int(row)) == sku:
            item_id: int | None = int(row)
        elif "-" in row:  # a bundle part the mapper numbered "bundleItemId-partItemId"
            item_id = None
        else:
            same = by_sku.get(sku, [])
            item_id = same[0] if len(same) == 1 else None
        lines.append(AdoptedLine(row, sku, float(line.ordered_number_of_items or 0), item_id, line.id))
    return lines


def settle_quarantined(open_ids: Collection[int], seen: Iterable[Order], gone: Iterable[int], *,
                       exportable_status_ids: Collection[int], bound_order_ids: Collection[int]) -> dict[int, str]:
    """Quarantined orders whose cause is gone, with why: deleted in Starweb, bound by another run, or no
    longer in an exportable status (cancelled, moved on by hand). A change that makes one exportable
    again modifies it, so the export reads it again."""
    settled = {order_id: "deleted in Starweb" for order_id in gone if order_id in open_ids}
    for order in seen:
        if order.order_id not in open_ids or order.order_id in settled:
            continue
        if order.order_id in bound_order_ids:
            settled[order.order_id] = "already bound in the ledger"
        elif order.is_complete is False:
            settled[order.order_id] = "not a complete order in Starweb (an abandoned checkout)"
        elif not is_exportable(order, exportable_status_ids):
            settled[order.order_id] = f"no longer exportable (Starweb status {order.status_id})"
    return settled
