"""Purchase-order bindings: what was sent, refused changes, the one initial inbound and reported receipts."""

from __future__ import annotations

from datetime import date

from ledger import purchase_orders as po_ledger
from ledger.db import Ledger
from ledger.purchase_orders import PurchaseOrderLineSpec, ReceivedLine


def push(book: Ledger, number: str, *lines: PurchaseOrderLineSpec, digest: str = "h1") -> None:
    with book.session() as s:
        po_ledger.mark_purchase_order_pushed(s, "m1", number=number, origin=po_ledger.FILE, source="po.csv",
                                             ongoing_purchase_order_id=241, pushed_hash=digest,
                                             expected_date=date(2026, 12, 15), lines=lines)


def test_a_sent_purchase_order_is_bound_line_by_line_and_updated_in_place(ledger: Ledger) -> None:
    push(ledger, "PO-1", PurchaseOrderLineSpec("1", "A", 10, 1201), PurchaseOrderLineSpec("2", "B", 5, 1202))
    push(ledger, "PO-1", PurchaseOrderLineSpec("1", "A", 12, 1201), digest="h2")

    with ledger.session() as s:
        binding = po_ledger.purchase_orders_by_number(s, "m1", ["PO-1", "PO-2"])["PO-1"]
        assert (binding.pushed_hash, binding.ongoing_purchase_order_id, binding.source) == ("h2", 241, "po.csv")
        assert [(line.row_number, line.sku, float(line.advised), line.ongoing_line_id) for line in binding.lines] == [
            ("1", "A", 12.0, 1201)]
        assert po_ledger.purchase_orders_by_number(s, "other", ["PO-1"]) == {}


def test_a_refused_version_is_remembered_until_a_version_is_sent(ledger: Ledger) -> None:
    push(ledger, "PO-1", PurchaseOrderLineSpec("1", "A", 10, 1201))
    with ledger.session() as s:
        po_ledger.mark_purchase_order_refused(s, "m1", "PO-1", "too-late")
    with ledger.session() as s:
        assert po_ledger.purchase_orders_by_number(s, "m1", ["PO-1"])["PO-1"].refused_hash == "too-late"
    push(ledger, "PO-1", PurchaseOrderLineSpec("1", "A", 10, 1201), digest="h3")
    with ledger.session() as s:
        assert po_ledger.purchase_orders_by_number(s, "m1", ["PO-1"])["PO-1"].refused_hash is None
        po_ledger.mark_purchase_order_refused(s, "m1", "PO-9", "someone-elses")  # never sent by the connector
    with ledger.session() as s:
        other = po_ledger.purchase_orders_by_number(s, "m1", ["PO-9"])["PO-9"]
        assert (other.refused_hash, other.pushed_hash, other.pushed_at) == ("someone-elses", None, None)


def test_the_initial_inbound_is_claimed_once_and_keeps_its_first_number(ledger: Ledger) -> None:
    with ledger.session() as s:
        assert po_ledger.find_initial_inbound(s, "m1") is None
        first = po_ledger.claim_initial_inbound(s, "m1", "INIT-20261130").purchase_order_number
    with ledger.session() as s:
        later = po_ledger.claim_initial_inbound(s, "m1", "INIT-20261202").purchase_order_number
    assert first == later == "INIT-20261130"
    push(ledger, "INIT-20261130", PurchaseOrderLineSpec("1", "A", 6, 1201))
    with ledger.session() as s:
        initial = po_ledger.find_initial_inbound(s, "m1")
        assert initial is not None and initial.origin == po_ledger.INITIAL and initial.pushed_at is not None


def test_a_reported_receipt_binds_lines_the_warehouse_added(ledger: Ledger) -> None:
    push(ledger, "PO-1", PurchaseOrderLineSpec("1", "A", 10, 1201), PurchaseOrderLineSpec("2", "B", 5, 1202))
    with ledger.session() as s:
        binding = po_ledger.purchase_orders_by_number(s, "m1", ["PO-1"])["PO-1"]
        po_ledger.mark_receipt_reported(binding, receipt_hash="r1", lines=[
            ReceivedLine(1201, "1", "A", 10, 7), ReceivedLine(1203, "2", "C", 0, 3),
            ReceivedLine(1204, None, "D", 0, 1)])

    with ledger.session() as s:
        binding = po_ledger.purchase_orders_by_number(s, "m1", ["PO-1"])["PO-1"]
        assert binding.receipt_hash == "r1" and binding.receipt_reported_at is not None
        assert po_ledger.received_as_reported(binding) == {1201: 7.0, 1202: 0.0, 1203: 3.0, 1204: 1.0}
        assert po_ledger.advised_rows(binding) == {"1", "2"}, "the added lines were never advised"
        assert sorted(line.row_number for line in binding.lines) == ["#1203", "#1204", "1", "2"]


def test_a_purchase_order_never_read_back_gets_its_line_ids_from_its_first_receipt(ledger: Ledger) -> None:
    push(ledger, "PO-1", PurchaseOrderLineSpec("1", "A", 10), PurchaseOrderLineSpec("2", "B", 5))
    with ledger.session() as s:
        binding = po_ledger.purchase_orders_by_number(s, "m1", ["PO-1"])["PO-1"]
        assert not po_ledger.read_back(binding), "sent, but Ongoing's line ids are not known"
        po_ledger.mark_receipt_reported(binding, receipt_hash="r1", lines=[
            ReceivedLine(1301, "1", "A", 10, 4), ReceivedLine(1302, "3", "C", 0, 2)])

    with ledger.session() as s:
        binding = po_ledger.purchase_orders_by_number(s, "m1", ["PO-1"])["PO-1"]
        assert sorted((line.row_number, line.ongoing_line_id) for line in binding.lines) == [
            ("1", 1301), ("2", None), ("3", 1302)], "bound by row, not added a second time"
        assert po_ledger.received_as_reported(binding) == {1301: 4.0, 1302: 2.0}
        assert po_ledger.advised_rows(binding) == {"1", "2"}
        assert not po_ledger.read_back(binding), "row 2 is still unknown to Ongoing's ids"
