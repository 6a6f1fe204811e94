"""Validating a purchase-order list, row by row, and turning purchase orders into Ongoing's upsert."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.purchase_order_file import read_sheet, rows_sheet
from domain.purchase_orders import (
    PurchaseOrderDraft,
    PurchaseOrderLine,
    differences,
    initial_inbound,
    parse_date,
    parse_decimal,
    parse_quantity,
    same_as_in_ongoing,
    skus_in,
    to_ongoing_purchase_order,
    validate_sheet,
    why_unchangeable,
    zero_left_out_rows,
)
from integrations.ongoing.models import PurchaseOrder

TODAY = date(2026, 11, 30)
KNOWN = {"TENT-FJ2", "THERMOS-1L", "POLE-CF-120", "POLE-CF-135", "SOCK-MER-38", "SOCK-MER-42", "SOCK-MER-46"}
HEADER = "purchase_order_number;supplier;expected_date;sku;quantity;purchase_price;comment"


def csv(*lines: str) -> bytes:
    return "\n".join([HEADER, *lines]).encode("utf-8")


def validate(*lines: str) -> Any:
    return validate_sheet(read_sheet(csv(*lines), "po.csv"), today=TODAY, known_skus=KNOWN)


@pytest.mark.parametrize(("line", "expected"), [
    ("PO-1;S;2026-12-15;NO-SUCH;1;;", "po.csv, row 2, column 'sku': unknown SKU 'NO-SUCH': it is neither a Starweb "
                                      "variant nor an Ongoing article"),
    ("PO-1;S;2026-13-01;TENT-FJ2;1;;", "po.csv, row 2, column 'expected_date': '2026-13-01' is not a real date"),
    ("PO-1;S;12/15/2026;TENT-FJ2;1;;", "po.csv, row 2, column 'expected_date': '12/15/2026' is not a real date"),
    ("PO-1;S;next week;TENT-FJ2;1;;", "po.csv, row 2, column 'expected_date': 'next week' is not a date; write it "
                                      "as YYYY-MM-DD"),
    ("PO-1;S;2026-11-29;TENT-FJ2;1;;", "po.csv, row 2, column 'expected_date': 2026-11-29 is in the past (today is "
                                       "2026-11-30)"),
    ("PO-1;S;2026-12-15;TENT-FJ2;0;;", "po.csv, row 2, column 'quantity': the quantity must be at least 1, not 0"),
    ("PO-1;S;2026-12-15;TENT-FJ2;-3;;", "po.csv, row 2, column 'quantity': the quantity must be at least 1, not -3"),
    ("PO-1;S;2026-12-15;TENT-FJ2;2,5;;", "po.csv, row 2, column 'quantity': 2,5 is not a whole number of units"),
    ("PO-1;S;2026-12-15;TENT-FJ2;many;;", "po.csv, row 2, column 'quantity': 'many' is not a number"),
    ("PO-1;;2026-12-15;TENT-FJ2;1;;", "po.csv, row 2, column 'supplier': the supplier is missing"),
    ("PO-1;S;2026-12-15;TENT-FJ2;1;-5;", "po.csv, row 2, column 'purchase_price': the purchase price cannot be "
                                         "negative"),
    (f"{'P' * 51};S;2026-12-15;TENT-FJ2;1;;", "po.csv, row 2, column 'purchase_order_number': the purchase order "
                                              "number is 51 characters long; at most 50 fit in Ongoing"),
])
def test_each_bad_row_is_named_by_file_row_and_column(line: str, expected: str) -> None:
    result = validate(line)
    assert result.orders == []
    (error,) = result.errors
    assert str(error).startswith(expected)


def test_a_row_without_a_number_stops_nothing_else() -> None:
    result = validate(";S;2026-12-15;TENT-FJ2;1;;", "PO-2;S;2026-12-15;TENT-FJ2;1;;")
    assert [o.number for o in result.orders] == ["PO-2"]
    assert [str(e) for e in result.unattached] == [
        "po.csv, row 2, column 'purchase_order_number': the purchase order number is missing"]


def test_a_bad_row_stops_only_its_own_purchase_order_and_all_its_errors_are_listed() -> None:
    result = validate(
        "PO-1;Kolfiber AB;2026-12-15;POLE-CF-120;10;210,00;",
        "PO-2;Ullfabriken;2026-12-20;SOCK-MER-42;5;;",
        "PO-2;Ullfabriken;2026-12-21;SOCK-MER-42;2,5;;",
        "PO-3;Termosfabriken;2026-12-22;THERMOS-1L;7;;",
    )

    assert [o.number for o in result.orders] == ["PO-1", "PO-3"]
    assert [str(e) for e in result.rejected["PO-2"]] == [
        "po.csv, row 4, column 'quantity': 2,5 is not a whole number of units",
        "po.csv, row 4, column 'expected_date': expected date 2026-12-21 differs from 2026-12-20 on row 3 of purchase "
        "order PO-2",
        "po.csv, row 4, column 'sku': SKU 'SOCK-MER-42' is already on row 3 of purchase order PO-2; put the total "
        "quantity on one row",
    ]
    assert result.orders[0] == PurchaseOrderDraft("PO-1", "Kolfiber AB", date(2026, 12, 15), (
        PurchaseOrderLine(2, "POLE-CF-120", 10, Decimal("210.00"), None),))


def test_suppliers_must_agree_within_a_purchase_order() -> None:
    result = validate("PO-1;A;2026-12-15;TENT-FJ2;1;;", "PO-1;B;2026-12-15;THERMOS-1L;1;;")
    assert [e.message for e in result.rejected["PO-1"]] == [
        "supplier 'B' differs from 'A' on row 2 of purchase order PO-1"]


def test_today_is_not_in_the_past_and_the_example_file_is_valid() -> None:
    assert [o.number for o in validate("PO-1;S;2026-11-30;TENT-FJ2;1;;").orders] == ["PO-1"]
    example = Path(__file__).resolve().parents[2] / "examples" / "purchase-orders.csv"
    sheet = read_sheet(example.read_bytes(), example.name)
    result = validate_sheet(sheet, today=TODAY, known_skus=skus_in(sheet))
    assert result.errors == []
    assert [(o.number, len(o.lines), o.units) for o in result.orders] == [("PO-2027-001", 2, 80),
                                                                         ("PO-2027-002", 3, 600)]


def test_rows_as_data_take_numbers_as_numbers() -> None:
    sheet = rows_sheet([{"number": "PO-9", "supplier": "S", "expected_date": "2026-12-01", "sku": "TENT-FJ2",
                         "quantity": 4, "purchase_price": 12.5}])
    (order,) = validate_sheet(sheet, today=TODAY, known_skus=KNOWN).orders
    assert order.lines == (PurchaseOrderLine(1, "TENT-FJ2", 4, Decimal("12.5"), None),)


@pytest.mark.parametrize(("text", "value"), [
    ("12", Decimal(12)), ("12,50", Decimal("12.50")), ("1 299,50", Decimal("1299.50")),
    ("1\u00a0299,50", Decimal("1299.50")), ("1.299,50", Decimal("1299.50")), ("1,299.50", Decimal("1299.50")),
    ("-3", Decimal(-3)),
])
def test_numbers_in_swedish_and_english_notation(text: str, value: Decimal) -> None:
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["2026-12-15", "2026-12-15 00:00:00", "20261215", "15.12.2026", "15/12/2026",
                                  "2026/12/15"])
def test_dates_as_spreadsheets_write_them(text: str) -> None:
    assert parse_date(text) == date(2026, 12, 15)


def test_a_quantity_of_ten_point_zero_is_ten() -> None:
    assert parse_quantity("10,0") == 10


def test_a_purchase_order_becomes_ongoings_upsert_with_rows_in_the_merchants_order() -> None:
    draft = PurchaseOrderDraft("PO-1", "Kolfiber AB", date(2026, 12, 15), (
        PurchaseOrderLine(2, "POLE-CF-135", 30, Decimal("225.50"), "Vårmodell"),
        PurchaseOrderLine(3, "POLE-CF-120", 50)))

    assert to_ongoing_purchase_order(draft).to_wire() == {
        "purchaseOrderNumber": "PO-1", "inDate": "2026-12-15", "supplierInfo": {"supplierName": "Kolfiber AB"},
        "purchaseOrderLines": [
            {"rowNumber": "1", "articleNumber": "POLE-CF-135", "numberOfItems": 30.0, "rowPrice": 225.5,
             "comment": "Vårmodell"},
            {"rowNumber": "2", "articleNumber": "POLE-CF-120", "numberOfItems": 50.0}]}


def purchase_order(status: int, received: float = 0, advised: float = 10, in_date: str = "2026-12-15") -> PurchaseOrder:
    return PurchaseOrder.model_validate({
        "supplierInfo": {"supplierNumber": None, "supplierName": "Kolfiber AB"},
        "purchaseOrderInfo": {"purchaseOrderId": 241, "purchaseOrderNumber": "PO-1", "inDate": in_date,
                              "purchaseOrderStatus": {"number": status, "text": "Avvikelse"}},
        "purchaseOrderLines": [{"id": 1201, "rowNumber": "1", "article": {"articleNumber": "POLE-CF-120"},
                                "advisedNumberOfItems": advised, "receivedNumberOfItems": received,
                                "reportedNumberOfItems": None}]})


def test_a_purchase_order_can_change_until_the_warehouse_starts_receiving() -> None:
    assert why_unchangeable(purchase_order(100)) is None
    assert why_unchangeable(purchase_order(200)) is None
    started = why_unchangeable(purchase_order(300))
    assert started is not None and "has started receiving purchase order PO-1 (status 300" in started
    partly = why_unchangeable(purchase_order(100, received=7))
    assert partly is not None and "7 units received" in partly
    cancelled = why_unchangeable(purchase_order(900))
    assert cancelled is not None and "cancelled in Ongoing" in cancelled


def test_what_ongoing_holds_is_compared_by_date_supplier_and_lines() -> None:
    draft = PurchaseOrderDraft("PO-1", "Kolfiber AB", date(2026, 12, 15), (PurchaseOrderLine(2, "POLE-CF-120", 10),))
    payload = to_ongoing_purchase_order(draft)
    assert same_as_in_ongoing(purchase_order(100), payload)
    assert not same_as_in_ongoing(purchase_order(100, advised=9), payload)
    assert not same_as_in_ongoing(purchase_order(100, in_date="2026-12-16"), payload)
    two_lines = to_ongoing_purchase_order(PurchaseOrderDraft("PO-1", "Kolfiber AB", date(2026, 12, 16), (
        PurchaseOrderLine(2, "POLE-CF-120", 10), PurchaseOrderLine(3, "TENT-FJ2", 1))))
    assert differences(purchase_order(100), two_lines) == [
        "expected date 2026-12-15 instead of 2026-12-16", "row 2: nothing instead of TENT-FJ2 × 1"]


def test_the_initial_inbound_has_a_line_per_sku_with_stock() -> None:
    order = initial_inbound("INIT-20261130", "Eget lager", TODAY,
                            {"TENT-FJ2": 6, "SOCK-MER-46": 0, "HEADLAMP-400": 3, "BROKEN": 2, "GONE": -1},
                            leave_out={"BROKEN"})
    assert [(line.row, line.sku, line.quantity) for line in order.lines] == [(1, "HEADLAMP-400", 3),
                                                                             (2, "TENT-FJ2", 6)]
    assert order.units == 9


def test_an_update_sends_rows_the_merchant_dropped_with_zero_units() -> None:
    def held(tents: float) -> PurchaseOrder:
        po = purchase_order(100).model_dump(by_alias=True)
        po["purchaseOrderLines"].append({"id": 1202, "rowNumber": "2", "article": {"articleNumber": "TENT-FJ2"},
                                         "advisedNumberOfItems": tents, "receivedNumberOfItems": 0})
        return PurchaseOrder.model_validate(po)

    poles_only = to_ongoing_purchase_order(PurchaseOrderDraft("PO-1", "Kolfiber AB", date(2026, 12, 15), (
        PurchaseOrderLine(2, "POLE-CF-120", 10),)))

    update = zero_left_out_rows(poles_only, held(2))
    assert [(line.row_number, line.article_number, line.number_of_items) for line in update.purchase_order_lines or []
            ] == [("1", "POLE-CF-120", 10.0), ("2", "TENT-FJ2", 0.0)]
    assert differences(held(2), poles_only) == ["row 2: TENT-FJ2 × 2 instead of no line"]
    assert differences(held(0), poles_only) == [], "a row with no advice left is no line"
    assert zero_left_out_rows(poles_only, purchase_order(100)) is poles_only
