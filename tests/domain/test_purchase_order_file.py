"""Reading a purchase-order list: Swedish Excel CSV exports, UTF-8 CSV, XLSX workbooks and rows as data."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from domain.purchase_order_file import PurchaseOrderFileError, read_sheet, rows_sheet

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "purchase-orders.csv"


def test_a_swedish_excel_export_in_windows_1252_with_semicolons_and_decimal_commas() -> None:
    text = ("Inköpsordernummer;Leverantör;Leveransdatum;Artikelnummer;Antal;Inköpspris;Kommentar\r\n"
            "PO-1;Fjällräven Leverantör AB;2026-12-15;TENT-FJ2;10;1 299,50;Vår leverans\r\n"
            ";;;;;;\r\n"
            "PO-1;Fjällräven Leverantör AB;2026-12-15;THERMOS-1L;5;;\r\n")

    sheet = read_sheet(text.encode("cp1252"), "/tmp/inköp.csv")

    assert sheet.source == "inköp.csv"
    assert sheet.header("quantity") == "Antal", "errors use the file's own header"
    assert [row.row for row in sheet.rows] == [2, 4], "the blank line keeps its number"
    first = sheet.rows[0].cells
    assert (first["supplier"], first["purchase_price"], first["comment"]) == (
        "Fjällräven Leverantör AB", "1 299,50", "Vår leverans")


def test_utf8_with_a_byte_order_mark_and_commas() -> None:
    text = "\ufeffPO number,Supplier,Expected date,SKU,Qty\nPO-2,Åre Ull AB,15.12.2026,SOCK-MER-42,20\n"

    sheet = read_sheet(text.encode("utf-8"), "list.csv")

    assert [dict(row.cells) for row in sheet.rows] == [{
        "purchase_order_number": "PO-2", "supplier": "Åre Ull AB", "expected_date": "15.12.2026",
        "sku": "SOCK-MER-42", "quantity": "20"}]


def test_an_xlsx_workbook_with_date_and_number_cells() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["purchase_order_number", "supplier", "expected_date", "sku", "quantity", "purchase_price"])
    sheet.append(["PO-3", "Kolfiber AB", datetime(2026, 12, 20), "POLE-CF-120", 12, 210.5])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["PO-3", "Kolfiber AB", date(2026, 12, 20), "POLE-CF-135", 3.0, None])
    content = io.BytesIO()
    book.save(content)

    rows = read_sheet(content.getvalue(), "inköp.xlsx").rows

    assert [(r.row, r.cells["expected_date"], r.cells["quantity"], r.cells["purchase_price"]) for r in rows] == [
        (2, "2026-12-20", "12", "210.5"), (4, "2026-12-20", "3", "")]


def test_a_missing_required_column_names_it_and_the_headers_found() -> None:
    with pytest.raises(PurchaseOrderFileError, match=r"list\.csv: no column for quantity \(headers found: .*'antl'"):
        read_sheet(b"ordernr;Leverantor;datum;sku;antl\nPO-1;X;2026-12-15;A;1\n", "list.csv")


def test_excels_unicode_text_in_utf16_with_tabs_is_read() -> None:
    text = ("Inköpsordernummer\tLeverantör\tLeveransdatum\tArtikelnummer\tAntal\n"
            "PO-3\tÅre Ull AB\t2026-12-15\tSOCK-MER-42\t7\n")

    sheet = read_sheet(text.encode("utf-16"), "unicode.csv")

    assert [dict(row.cells) for row in sheet.rows] == [{
        "purchase_order_number": "PO-3", "supplier": "Åre Ull AB", "expected_date": "2026-12-15",
        "sku": "SOCK-MER-42", "quantity": "7"}]


def test_lines_pasted_together_in_two_encodings_each_keep_their_letters() -> None:
    header_and_first = "PO number;Supplier;Expected date;SKU;Qty\nPO-4;Åre Ull AB;2026-12-15;SOCK-MER-42;2\n"
    second = "PO-4;Fjällräven AB;2026-12-15;TENT-FJ2;1\n"

    sheet = read_sheet(header_and_first.encode("utf-8") + second.encode("cp1252"), "mixed.csv")

    assert [row.cells["supplier"] for row in sheet.rows] == ["Åre Ull AB", "Fjällräven AB"]


@pytest.mark.parametrize(("content", "problem"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, r"old\.csv: not a text file \(an old \.xls workbook\?\)"),
    (b"\xff\xfe" + "PO;S".encode("utf-16-le") + b"\x00", r"old\.csv: starts as UTF-16 text but breaks off at byte"),
    (b"PO number;SKU;Qty\nPO-5;A;1\x81\n", r"old\.csv, row 2: byte 0x81 is neither UTF-8 nor Windows-1252 text"),
], ids=["old xls", "UTF-16 cut off", "neither UTF-8 nor 1252"])
def test_a_file_in_an_encoding_it_cannot_be_read_in_says_which_row_and_how_to_save_it(content: bytes,
                                                                                        problem: str) -> None:
    with pytest.raises(PurchaseOrderFileError, match=problem):
        read_sheet(content, "old.csv")


@pytest.mark.parametrize(("content", "name", "problem"), [
    (b"", "empty.csv", "the file is empty"),
    (b"not a workbook", "list.xlsx", "not a readable XLSX workbook"),
    (b"x", "list.pdf", "expected a .csv or .xlsx file"),
])
def test_files_that_cannot_be_read_say_why(content: bytes, name: str, problem: str) -> None:
    with pytest.raises(PurchaseOrderFileError, match=problem):
        read_sheet(content, name)


def test_rows_given_as_data_are_numbered_from_one() -> None:
    sheet = rows_sheet([{"purchase_order_number": "PO-1", "supplier": "S", "expected_date": "2026-12-15",
                         "sku": "A", "quantity": 2},
                        {"purchase_order_number": "PO-1", "supplier": "S", "expected_date": "2026-12-15",
                         "sku": "B", "quantity": 2.0, "comment": "skör"}])

    assert sheet.source == "rows"
    assert [(r.row, r.cells["quantity"], r.cells.get("comment")) for r in sheet.rows] == [
        (1, "2", ""), (2, "2", "skör")]


def test_the_example_file_in_the_repository_reads() -> None:
    sheet = read_sheet(EXAMPLE.read_bytes(), EXAMPLE.name)
    assert len(sheet.rows) == 5
    assert sheet.rows[1].cells["comment"] == "Vårmodell"
