"""Receipts of purchase orders: what the warehouse received against what the merchant advised.

Each line of a received purchase order is received as advised, under or over the advice, or is an
article that was never advised at all (the warehouse added the line, with no or zero advice, or under a
row number the connector did not send). A receipt is reported once per change: its snapshot of the
received quantities is compared with the one last reported. Ongoing's own acknowledgement
(``reportedNumberOfItems``) is then brought up to what was received.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.hashing import payload_hash
from integrations.ongoing.models import PurchaseOrder, PurchaseOrderLine


class ReceiptKind(StrEnum):
    AS_ADVISED = "as advised"
    UNDER = "under delivery"
    OVER = "over delivery"
    NOT_ADVISED = "not advised"


@dataclass(frozen=True)
class ReceiptLine:
    line_id: int
    row_number: str | None
    sku: str
    advised: float  # 0 for an article that was never advised
    received: float
    kind: ReceiptKind

    @property
    def difference(self) -> float:
        return self.received - self.advised

    @property
    def deviates(self) -> bool:
        return self.kind is not ReceiptKind.AS_ADVISED

    def describe(self) -> str:
        if self.kind is ReceiptKind.NOT_ADVISED:
            return f"SKU {self.sku}: {self.received:g} received, never advised"
        return f"SKU {self.sku}: {self.received:g} of {self.advised:g} received ({self.kind}, {self.difference:+g})"


@dataclass(frozen=True)
class Receipt:
    purchase_order_id: int
    purchase_order_number: str
    status: int | None
    lines: tuple[ReceiptLine, ...]

    @property
    def deviations(self) -> list[ReceiptLine]:
        return [line for line in self.lines if line.deviates]

    @property
    def received_anything(self) -> bool:
        return any(line.received > 0 for line in self.lines)

    @property
    def snapshot(self) -> str:
        """A fingerprint of what has been received so far: it changes exactly when a receipt does."""
        return payload_hash([[line.line_id, line.sku, line.advised, line.received] for line in self.lines])


def is_return_type(purchase_order: PurchaseOrder) -> bool:
    """A purchase order that brings back goods (B2B returns): the returns flow's business, not ours."""
    advanced = purchase_order.purchase_order_info.advanced
    return bool(advanced and advanced.purchase_order_is_return_type)


def _kind(advised: float, received: float, advised_by_us: bool) -> ReceiptKind:
    if not advised_by_us or advised <= 0:
        return ReceiptKind.NOT_ADVISED
    if received < advised:
        return ReceiptKind.UNDER
    if received > advised:
        return ReceiptKind.OVER
    return ReceiptKind.AS_ADVISED


def _sku(line: PurchaseOrderLine) -> str:
    return (line.article.article_number if line.article else None) or f"article {line.id}"


def read_receipt(purchase_order: PurchaseOrder, advised_rows: Collection[str]) -> Receipt:
    """Classify every line. ``advised_rows`` are the row numbers the connector sent; a line under any
    other row (or none), or with no or zero advice, is an article the merchant never advised. A line
    advised but with nothing received yet counts as under-delivered."""
    lines = []
    for line in purchase_order.purchase_order_lines:
        advised = float(line.advised_number_of_items or 0)
        received = float(line.received_number_of_items or 0)
        if advised <= 0 and received <= 0:
            continue  # an empty line says nothing about the delivery
        by_us = line.row_number is not None and line.row_number in advised_rows
        lines.append(ReceiptLine(line.id, line.row_number, _sku(line), advised if by_us else 0.0, received,
                                 _kind(advised, received, by_us)))
    info = purchase_order.purchase_order_info
    return Receipt(info.purchase_order_id, info.purchase_order_number, purchase_order.status_number, tuple(lines))


def skus_received_since(receipt: Receipt, reported: Mapping[int, float]) -> set[str]:
    """SKUs whose received quantity changed since the last report (``reported``: line id → received)."""
    return {line.sku for line in receipt.lines if line.received != reported.get(line.line_id, 0.0)}


@dataclass(frozen=True)
class Acknowledgement:
    """How to bring Ongoing's ``reportedNumberOfItems`` up to what was received."""

    all_at_once: bool
    lines: tuple[tuple[int, float], ...]  # (line id, received) for each line still to acknowledge


def acknowledgement(purchase_order: PurchaseOrder) -> Acknowledgement:
    """Every line whose reported quantity differs from the received one; when that is every line of
    the purchase order, Ongoing's one call that sets them all is enough."""
    pending = tuple((line.id, float(line.received_number_of_items or 0)) for line in purchase_order.purchase_order_lines
                    if float(line.reported_number_of_items or 0) != float(line.received_number_of_items or 0))
    every_line = len(pending) == len(purchase_order.purchase_order_lines) > 0
    return Acknowledgement(every_line, pending)
