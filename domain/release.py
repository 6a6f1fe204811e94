"""Order release ("ordersläpp"): which exported orders go to picking now.

At set times (or on demand) every approved order is moved to picking in Starweb and in Ongoing, which
locks it for edits on both sides. An order is released when it is exported and still open in the
warehouse, its Starweb status is one the merchant releases from (by default "created"), it is neither
on hold nor in quarantine, and it passes the run's filters (chosen order ids, created before a cutoff).
A release left half done by an earlier run is always completed, whatever the filters.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.statuses import OPEN_STATES, OrderState, StatusTable


@dataclass(frozen=True)
class ReleaseCandidate:
    binding_id: int
    starweb_order_id: int
    order_number: str
    ongoing_order_id: int | None
    state: str | None
    starweb_created_at: datetime | None
    on_hold: bool
    started: bool  # a release of this order was begun by an earlier run and not finished
    lines: int
    units: float


@dataclass(frozen=True)
class ReleaseDecision:
    candidate: ReleaseCandidate
    release: bool
    reason: str
    warehouse_done: bool = False  # Ongoing already shows it in picking: only Starweb needs the change

    @property
    def stock_state(self) -> str:
        return (self.candidate.state or "unknown").replace("_", " ")


def choose_releases(candidates: Collection[ReleaseCandidate], *, table: StatusTable,
                    shop_status: Mapping[int, int], releasable_status_ids: Collection[int],
                    warehouse_status: Mapping[str, int], held_order_ids: Collection[int],
                    order_ids: Collection[int] | None = None, created_before: datetime | None = None,
                    skip_backordered: bool = False) -> list[ReleaseDecision]:
    """One decision per candidate the run is about. Orders outside ``order_ids`` are left out silently;
    orders created after ``created_before`` are listed as not released, so a preview shows the cut."""
    decisions: list[ReleaseDecision] = []
    for c in sorted(candidates, key=lambda c: c.starweb_order_id):
        in_warehouse = warehouse_status.get(c.order_number)
        warehouse_state = table.state_of_ongoing(in_warehouse) if in_warehouse is not None else None
        if c.started:
            decisions.append(_complete_half_done(c, table, shop_status, warehouse_state))
            continue
        if order_ids is not None and c.starweb_order_id not in order_ids:
            continue
        if created_before is not None and (c.starweb_created_at is None or c.starweb_created_at >= created_before):
            decisions.append(ReleaseDecision(c, False, "created after the release cutoff"))
            continue
        decisions.append(_judge(c, table, shop_status, releasable_status_ids, warehouse_state, held_order_ids,
                                skip_backordered))
    return decisions


def _complete_half_done(c: ReleaseCandidate, table: StatusTable, shop_status: Mapping[int, int],
                        warehouse_state: OrderState | None) -> ReleaseDecision:
    status = shop_status.get(c.starweb_order_id)
    if warehouse_state is OrderState.CANCELLED or (status is not None and table.is_cancelled_in_starweb(status)):
        return ReleaseDecision(c, False, "a started release was cancelled on one side; left for the status sync")
    if warehouse_state in (OrderState.SENT, OrderState.PARTIALLY_SENT, OrderState.RETURNED):
        return ReleaseDecision(c, False, f"a started release was overtaken: already {warehouse_state.value} "
                                         "in the warehouse")
    return ReleaseDecision(c, True, "completing a release left half done",
                           warehouse_done=warehouse_state is not None and warehouse_state not in OPEN_STATES)


def _judge(c: ReleaseCandidate, table: StatusTable, shop_status: Mapping[int, int],
           releasable_status_ids: Collection[int], warehouse_state: OrderState | None,
           held_order_ids: Collection[int], skip_backordered: bool) -> ReleaseDecision:
    if c.on_hold:
        return ReleaseDecision(c, False, "on hold")
    if c.starweb_order_id in held_order_ids:
        return ReleaseDecision(c, False, "in quarantine: resolve it first")
    if shop_status.get(c.starweb_order_id) not in releasable_status_ids:
        return ReleaseDecision(c, False, "its Starweb status is not one the merchant releases from")
    if warehouse_state is None:
        return ReleaseDecision(c, False, "not found in Ongoing")
    if warehouse_state in (OrderState.CANCELLED, OrderState.SENT, OrderState.RETURNED,
                           OrderState.PARTIALLY_SENT):
        return ReleaseDecision(c, False, f"already {warehouse_state.value.replace('_', ' ')} in the warehouse")
    if skip_backordered and c.state == OrderState.OPEN_BACKORDERED.value:
        return ReleaseDecision(c, False, "backordered (the merchant releases in-stock orders only)")
    if warehouse_state is OrderState.PICKING:
        return ReleaseDecision(c, True, "the warehouse already released it; Starweb follows", warehouse_done=True)
    return ReleaseDecision(c, True, "released")
