"""Classifying a purchase order's receipt line by line, and how it is acknowledged in Ongoing."""

from __future__ import annotations

from typing import Any

import pytest

from domain.receipts import ReceiptKind, acknowledgement, is_return_type, read_receipt, skus_received_since
from integrations.ongoing.models import PurchaseOrder


def line(line_id: int, row: str | None, sku: str, advised: float | None, received: float,
         reported: float | None = None) -> dict[str, Any]:
    return {"id": line_id, "rowNumber": row, "article": {"articleNumber": sku}, "advisedNumberOfItems": advised,
            "receivedNumberOfItems": received, "reportedNumberOfItems": reported}


def purchase_order(*lines: dict[str, Any], status: int = 400, return_type: bool = False) -> PurchaseOrder:
    return PurchaseOrder.model_validate({
        "purchaseOrderInfo": {"purchaseOrderId": 241, "purchaseOrderNumber": "PO-1",
                              "purchaseOrderStatus": {"number": status, "text": "Avvikelse"},
                              "advanced": {"purchaseOrderIsReturnType": return_type}},
        "purchaseOrderLines": list(lines)})


@pytest.mark.parametrize(("lines", "kinds"), [
    ([line(1, "1", "A", 10, 7)], [(ReceiptKind.UNDER, 0.0 - 3)]),
    ([line(1, "1", "A", 10, 12)], [(ReceiptKind.OVER, 2.0)]),
    ([line(1, "1", "A", 10, 10)], [(ReceiptKind.AS_ADVISED, 0.0)]),
    ([line(1, "1", "A", 10, 0)], [(ReceiptKind.UNDER, -10.0)]),
    # The warehouse adds a line for goods never advised: advice 0 or null, and a row the connector never sent.
    ([line(1, "1", "A", 10, 10), line(2, "2", "B", 0, 3)], [(ReceiptKind.AS_ADVISED, 0.0),
                                                           (ReceiptKind.NOT_ADVISED, 3.0)]),
    ([line(1, "1", "A", 10, 10), line(2, "2", "B", None, 3)], [(ReceiptKind.AS_ADVISED, 0.0),
                                                              (ReceiptKind.NOT_ADVISED, 3.0)]),
    ([line(1, "1", "A", 10, 10), line(2, "9", "B", 4, 3)], [(ReceiptKind.AS_ADVISED, 0.0),
                                                           (ReceiptKind.NOT_ADVISED, 3.0)]),
    ([line(1, "1", "A", 10, 10), line(2, None, "B", None, 3)], [(ReceiptKind.AS_ADVISED, 0.0),
                                                               (ReceiptKind.NOT_ADVISED, 3.0)]),
])
def test_each_line_is_as_advised_under_over_or_never_advised(lines: list[dict[str, Any]],
                                                             kinds: list[tuple[ReceiptKind, float]]) -> None:
    receipt = read_receipt(purchase_order(*lines), advised_rows={"1"})
    assert [(r.kind, r.difference) for r in receipt.lines] == kinds


def test_a_deviation_is_described_by_sku_and_quantities() -> None:
    receipt = read_receipt(purchase_order(line(1, "1", "A", 10, 7), line(2, "2", "B", 0, 3)), advised_rows={"1"})
    assert [d.describe() for d in receipt.deviations] == [
        "SKU A: 7 of 10 received (under delivery, -3)", "SKU B: 3 received, never advised"]


def test_the_snapshot_changes_exactly_when_something_more_is_received() -> None:
    first = read_receipt(purchase_order(line(1, "1", "A", 10, 7)), {"1"})
    again = read_receipt(purchase_order(line(1, "1", "A", 10, 7, reported=7), status=400), {"1"})
    more = read_receipt(purchase_order(line(1, "1", "A", 10, 10)), {"1"})
    assert first.snapshot == again.snapshot != more.snapshot
    assert skus_received_since(more, {1: 7.0}) == {"A"}
    assert skus_received_since(again, {1: 7.0}) == set()


def test_nothing_received_yet_is_no_receipt() -> None:
    assert not read_receipt(purchase_order(line(1, "1", "A", 10, 0), status=100), {"1"}).received_anything


def test_all_lines_to_acknowledge_take_one_call_otherwise_one_per_line() -> None:
    everything = acknowledgement(purchase_order(line(1, "1", "A", 10, 7), line(2, "2", "B", 5, 5)))
    assert everything.all_at_once and everything.lines == ((1, 7.0), (2, 5.0))

    some = acknowledgement(purchase_order(line(1, "1", "A", 10, 7, reported=7), line(2, "2", "B", 5, 5)))
    assert not some.all_at_once and some.lines == ((2, 5.0),)

    assert acknowledgement(purchase_order(line(1, "1", "A", 10, 7, reported=7))).lines == ()


def test_return_type_purchase_orders_are_recognised() -> None:
    assert is_return_type(purchase_order(line(1, "1", "A", 1, 1), return_type=True))
    assert not is_return_type(purchase_order(line(1, "1", "A", 1, 1)))
