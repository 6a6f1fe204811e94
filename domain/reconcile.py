"""Reconcile: is everything in sync? A comparison of what both vendors show, independent of the ledger.

Within a window of recent days (never before the go-live cutoff, and leaving out the last minutes that
the polling flows have not had a chance to carry yet), it lists Starweb orders that should be in Ongoing
and are not, connector-numbered Ongoing orders Starweb does not have, order pairs whose statuses
contradict the merchant's status map, shipments Ongoing made that Starweb or Ongoing's own report
bookkeeping does not show as reported, and SKUs whose Starweb stock is not what the stock sync's own
comparison says it should be. Each difference is one row a person can act on; no difference is a clean day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.statuses import OPEN_STATES, OrderState, StatusTable
from domain.stock_sync import StockPlan
from integrations.ongoing.models import Order as OngoingOrder
from integrations.starweb.models import Order as StarwebOrder


class DifferenceKind(StrEnum):
    MISSING_IN_ONGOING = "in Starweb, not in Ongoing"
    MISSING_IN_STARWEB = "in Ongoing, not in Starweb"
    STATUS = "status against the map"
    SHIPMENT = "shipment not reported"
    STOCK = "stock beyond the buffer"

    @property
    def slug(self) -> str:
        """The key used in counts, event payloads and the CSV (e.g. ``missing_in_ongoing``)."""
        return self.name.lower()


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    record: str  # "order 1042", "SKU TENT-FJ2": ids only, never customer data
    starweb: str  # what Starweb shows
    ongoing: str  # what Ongoing shows
    detail: str  # why it is a difference, and what usually fixes it


@dataclass(frozen=True)
class Window:
    """Orders created from ``start`` up to ``end`` are compared."""

    start: datetime
    end: datetime
    settled_before: datetime  # a change after this may still be on its way through a polling flow

    @property
    def empty(self) -> bool:
        return self.start >= self.end


def reconcile_window(now: datetime, *, days: float, settle: timedelta, go_live_cutoff: datetime | None) -> Window:
    """The last ``days`` up to ``settle`` ago; orders before the go-live cutoff belong to the previous
    integration (or were synced silently on first activation) and are not compared."""
    start = now - timedelta(days=days)
    if go_live_cutoff is not None and go_live_cutoff > start:
        start = go_live_cutoff
    return Window(start=start, end=now - settle, settled_before=now - settle)


def starweb_order_id(order_number: str, prefix: str) -> int | None:
    """The Starweb order id an Ongoing order number stands for, if the connector could have made it."""
    if not order_number.startswith(prefix):
        return None
    rest = order_number[len(prefix):]
    if not rest.isdigit() or str(int(rest)) != rest:
        return None
    return int(rest)


# Pairs of (Ongoing state, Starweb states) the map allows. Both open states are one: the export does not
# change Starweb's status, so Starweb shows the same status for an order in stock or backordered.
_OPEN = OPEN_STATES
_AGREES_WITH: dict[OrderState, frozenset[OrderState]] = {
    OrderState.OPEN: _OPEN, OrderState.OPEN_IN_STOCK: _OPEN, OrderState.OPEN_BACKORDERED: _OPEN,
    OrderState.PICKING: frozenset({OrderState.PICKING}),
    OrderState.SENT: frozenset({OrderState.SENT, OrderState.PARTIALLY_SENT}),
    OrderState.RETURNED: frozenset({OrderState.RETURNED}),
    OrderState.CANCELLED: frozenset({OrderState.CANCELLED}),
}
# Starweb states that say the warehouse has been at work: an order in one of them belongs in Ongoing.
_PAST_EXPORT = frozenset({OrderState.PICKING, OrderState.PARTIALLY_SENT, OrderState.SENT, OrderState.RETURNED})
# Starweb states in which a shipment counts as reported (or overtaken by a later event).
_SHIPPED_OR_LATER = frozenset({OrderState.SENT, OrderState.PARTIALLY_SENT, OrderState.RETURNED,
                               OrderState.CANCELLED})


def _state_word(state: OrderState) -> str:
    return "open" if state in OPEN_STATES else state.value.replace("_", " ")


def _state_words(states: Collection[OrderState]) -> str:
    return " or ".join(sorted({_state_word(s) for s in states})) or "a status the map does not name"


def _starweb_words(order: StarwebOrder, table: StatusTable) -> str:
    return f"status {order.status_id} ({_state_words(table.states_of_starweb(order.status_id or 0))})"


def _ongoing_words(order: OngoingOrder, table: StatusTable) -> str:
    number = order.status_number
    if number is None:
        return "no status"
    return f"status {number} ({_state_word(table.state_of_ongoing(number))})"


def belongs_in_ongoing(order: StarwebOrder, table: StatusTable, exportable_status_ids: Collection[int]) -> bool:
    """Should the warehouse have this order: it is waiting for export, or Starweb shows work past export."""
    if order.status_id is None:
        return False
    exportable = order.status_id in exportable_status_ids and order.is_complete is not False
    return exportable or bool(table.states_of_starweb(order.status_id) & _PAST_EXPORT)


def absent_from_ongoing(orders: Iterable[StarwebOrder], in_warehouse: Collection[str], *,
                        order_number: Callable[[int], str], table: StatusTable,
                        exportable_status_ids: Collection[int], window: Window) -> list[StarwebOrder]:
    """Starweb orders created in the window that belong in Ongoing but have no order there, by id. An order
    changed within the settle time (e.g. just paid) may not have met an export run yet, and is left out."""
    return sorted((o for o in orders
                   if o.created_at is not None and window.start <= o.created_at <= window.end
                   and (o.modified_at is None or o.modified_at <= window.settled_before)
                   and order_number(o.order_id) not in in_warehouse
                   and belongs_in_ongoing(o, table, exportable_status_ids)), key=lambda o: o.order_id)


def missing_in_ongoing(absent: Iterable[StarwebOrder], *, order_number: Callable[[int], str], table: StatusTable,
                       notes: Mapping[int, str]) -> list[Difference]:
    """One difference per order absent from Ongoing; ``notes`` says what the ledger knows of it
    (quarantined and why, or exported earlier)."""
    return [Difference(DifferenceKind.MISSING_IN_ONGOING, f"order {order.order_id}", _starweb_words(order, table),
                       f"no order {order_number(order.order_id)}",
                       notes.get(order.order_id, "never exported: check the export-orders runs and the quarantine"))
            for order in absent]


def missing_in_starweb(warehouse: Iterable[OngoingOrder], gone_from_starweb: Collection[int], *, prefix: str,
                       table: StatusTable) -> list[Difference]:
    """Connector-numbered Ongoing orders whose Starweb order does not exist (deleted, or never the shop's),
    unless the warehouse cancelled them already."""
    found = []
    for order in sorted(warehouse, key=lambda o: o.order_number):
        order_id = starweb_order_id(order.order_number, prefix)
        if order_id is None or order_id not in gone_from_starweb:
            continue
        if order.status_number is not None and table.state_of_ongoing(order.status_number) is OrderState.CANCELLED:
            continue
        found.append(Difference(
            DifferenceKind.MISSING_IN_STARWEB, f"order {order.order_number}", f"no order {order_id}",
            _ongoing_words(order, table),
            "the warehouse may ship an order the shop does not have: cancel it in Ongoing or find where it came "
            "from"))
    return found


def order_pair_differences(pairs: Iterable[tuple[StarwebOrder, OngoingOrder]], *, table: StatusTable,
                           unreported: Collection[str], window: Window) -> list[Difference]:
    """Each order both systems have: its statuses must agree by the map, and a shipment Ongoing made
    must be reported (Starweb shows it sent, and Ongoing's reported quantities caught up). Changes too
    recent to have been carried yet are left for the next reconcile."""
    found = []
    for shop, warehouse in sorted(pairs, key=lambda pair: pair[0].order_id):
        number = warehouse.status_number
        if number is None or (shop.modified_at is not None and shop.modified_at > window.settled_before):
            continue
        ongoing_state = table.state_of_ongoing(number)
        shop_states = table.states_of_starweb(shop.status_id or 0)
        shipped_at = warehouse.order_info.shipped_time
        recently_shipped = shipped_at is not None and shipped_at > window.settled_before
        record, starweb, ongoing = f"order {shop.order_id}", _starweb_words(shop, table), _ongoing_words(warehouse,
                                                                                                         table)
        if ongoing_state is OrderState.SENT and shop_states and not shop_states & _SHIPPED_OR_LATER:
            if not recently_shipped:
                found.append(Difference(DifferenceKind.SHIPMENT, record, starweb, ongoing,
                                        "the warehouse shipped it but Starweb does not show it sent (no customer "
                                        "email yet): check the report-shipments runs"))
            continue
        if warehouse.order_number in unreported and not recently_shipped:
            found.append(Difference(DifferenceKind.SHIPMENT, record, starweb, ongoing,
                                    "Ongoing still lists shipped units as not reported: the last step of the "
                                    "shipment report did not finish; the next report-shipments run retries it"))
            continue
        if shop_states and not shop_states & _AGREES_WITH[ongoing_state]:
            found.append(Difference(DifferenceKind.STATUS, record, starweb, ongoing,
                                    f"by the status map, Ongoing {_state_word(ongoing_state)} goes with "
                                    f"Starweb {_state_words(_AGREES_WITH[ongoing_state])}"))
    return found


def stock_differences(plan: StockPlan, *, safety_buffer: int) -> list[Difference]:
    """SKUs whose Starweb figure is not the one the stock sync would write (its own comparison)."""
    return [Difference(DifferenceKind.STOCK, f"SKU {row.sku}", "no figure" if row.current is None else str(row.current),
                       f"{row.sellable:g} sellable",
                       f"should be {row.target} (sellable less what the stock sync holds back, buffer {safety_buffer})"
                       + ("" if row.current is None else f", off by {row.current - row.target:+d}"))
            for row in plan.writes]


@dataclass(frozen=True)
class QuarantineTrend:
    """Open quarantine entries now and a day earlier: a growing quarantine needs a person."""

    open_now: int
    open_before: int
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def growing(self) -> bool:
        return self.open_now > self.open_before


@dataclass(frozen=True)
class ReconcileReport:
    merchant_id: str
    window: Window
    differences: list[Difference]
    orders_compared: int
    skus_compared: int
    quarantine: QuarantineTrend

    @property
    def clean(self) -> bool:
        return not self.differences

    def counts(self) -> dict[str, int]:
        """Differences per kind (every kind present, zero included) and their total."""
        per_kind = Counter(d.kind for d in self.differences)
        return {**{kind.slug: per_kind.get(kind, 0) for kind in DifferenceKind}, "total": len(self.differences)}

    def scope(self) -> str:
        if self.window.empty:
            return f"no orders (the window starts at the go-live cutoff, {self.window.start:%Y-%m-%d %H:%M} UTC)"
        return (f"{self.orders_compared} order(s) created {self.window.start:%Y-%m-%d %H:%M} to "
                f"{self.window.end:%Y-%m-%d %H:%M} UTC and {self.skus_compared} SKU(s)")

    def one_line(self) -> str:
        """What an operator reads first: in sync, or how many differences of which kinds."""
        if self.clean:
            return f"{self.merchant_id} is in sync: no differences in {self.scope()}."
        per_kind = Counter(d.kind for d in self.differences)
        kinds = "; ".join(f"{kind.value}: {n}" for kind, n in per_kind.items())
        return f"{self.merchant_id}: {len(self.differences)} difference(s) in {self.scope()}: {kinds}."

    def rows(self) -> list[dict[str, str]]:
        return [{"kind": d.kind.value, "record": d.record, "starweb": d.starweb, "ongoing": d.ongoing,
                 "detail": d.detail} for d in self.differences]

    def quarantine_line(self) -> str:
        trend = "growing" if self.quarantine.growing else "not growing"
        return (f"Quarantine: {self.quarantine.open_now} open record(s), {self.quarantine.open_before} a day ago "
                f"({trend}).")

    def markdown(self) -> str:
        lines = [f"# Reconcile for {self.merchant_id}", "", self.one_line(), "", self.quarantine_line()]
        if self.differences:
            lines += ["", "| difference | records |", "|---|---|"]
            lines += [f"| {kind.value} | {n} |" for kind, n in Counter(d.kind for d in self.differences).items()]
        return "\n".join(lines)
