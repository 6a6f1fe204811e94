"""Announcing a return to the warehouse: a return order (RMA) so the TPL knows what is coming.

Ongoing's return order points at the sales order's *internal* line ids, so the order is read first and
each SKU is mapped to its line. A line may announce at most what shipped less what came back or is
already announced. The return order number is derived from the order number and the count of return
orders it has, and an identical announcement still waiting for goods is reused, so running the command
again after a lost answer announces nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.shipments import shipped_quantities
from integrations.errors import MappingError
from integrations.ongoing.models import (
    CodeName,
    CustomerOrderLineRef,
    CustomerOrderRef,
    ReturnOrder,
    ReturnOrderLineWrite,
    ReturnOrderWrite,
)
from integrations.ongoing.models import Order as OngoingOrder


@dataclass(frozen=True)
class Announcement:
    write: ReturnOrderWrite | None  # None: ``existing`` already announces exactly this
    existing: str | None = None

    @property
    def number(self) -> str:
        return self.write.return_order_number if self.write else self.existing or ""


def _waiting(return_order: ReturnOrder) -> bool:
    return all(float(line.returned_number_of_items or 0) == 0 for line in return_order.return_order_lines)


def _announced(return_order: ReturnOrder) -> dict[int, float]:
    """Units still expected per sales-order line on one return order."""
    left: dict[int, float] = {}
    for line in return_order.return_order_lines:
        if line.customer_order_line and line.customer_order_line.order_line_id is not None:
            expected = float(line.to_be_returned_number_of_items or 0) - float(line.returned_number_of_items or 0)
            line_id = line.customer_order_line.order_line_id
            left[line_id] = left.get(line_id, 0.0) + max(expected, 0.0)
    return left


def plan_announcement(order: OngoingOrder, wanted: Mapping[str, int], *, cause: str | None,
                      known_causes: Sequence[str], comment: str | None,
                      existing: Sequence[ReturnOrder]) -> Announcement:
    """The return order to send, or the waiting one that already announces the same; a request that
    cannot be right (unknown SKU or cause, more than can come back) raises ``MappingError`` saying why."""
    if not wanted:
        raise MappingError("give at least one line to return, e.g. --line SKU=1")
    if cause is not None and known_causes and cause not in known_causes:
        raise MappingError(f"return cause {cause!r} is not one of the goods owner's: {', '.join(known_causes)}")
    requested: dict[int, tuple[str, float]] = {}
    for sku, asked in wanted.items():
        if asked <= 0:
            raise MappingError(f"{sku}: the quantity to return must be at least 1")
        line = next((li for li in order.order_lines if li.article and li.article.article_number == sku), None)
        if line is None:
            raise MappingError(f"order {order.order_number} has no line with SKU {sku}")
        requested[line.id] = (sku, float(asked))
    for return_order in existing:  # asked before, e.g. again after a lost answer
        same = {line.customer_order_line.order_line_id: (float(line.to_be_returned_number_of_items or 0),
                                                         line.return_cause.code if line.return_cause else None)
                for line in return_order.return_order_lines if line.customer_order_line}
        if _waiting(return_order) and same == {line_id: (units, cause) for line_id, (_, units) in requested.items()}:
            return Announcement(None, return_order.return_order_info.return_order_number)
    shipped = shipped_quantities(order)
    announced: dict[int, float] = {}
    for return_order in existing:
        for line_id, units in _announced(return_order).items():
            announced[line_id] = announced.get(line_id, 0.0) + units
    lines: list[ReturnOrderLineWrite] = []
    for line in order.order_lines:
        if line.id not in requested:
            continue
        sku, units = requested[line.id]
        can = (shipped.get(line.row_number or str(line.id), 0.0) - float(line.returned_number_of_items or 0)
               - announced.get(line.id, 0.0))
        if units > can:
            raise MappingError(f"{sku}: {units:g} cannot come back on order {order.order_number}; {can:g} shipped "
                               "unit(s) are neither returned nor already announced")
        lines.append(ReturnOrderLineWrite(
            return_order_row_number=str(len(lines) + 1),
            customer_order_line=CustomerOrderLineRef(order_line_id=line.id),
            to_be_returned_number_of_items=units, return_cause=CodeName(code=cause) if cause else None))
    return Announcement(ReturnOrderWrite(
        return_order_number=f"{order.order_number}-R{len(existing) + 1}", customer_order=CustomerOrderRef(
            order_id=order.order_id), return_order_lines=lines, comment=comment))
