"""The merchant's purchase-order list as a sheet: a CSV or XLSX file (or rows given directly) turned
into numbered rows of text cells under the connector's own column names.

Swedish Excel exports are the common case: ``;`` separators, decimal commas, UTF-8 or Windows-1252 (or
UTF-16, Excel's "Unicode text", tab-separated).
Headers may be written in English or Swedish (``sku`` or ``artikelnummer`` …); each row keeps the number
a person sees in a spreadsheet (the header is row 1), so every error can point at file, row and column.
Decoding bytes is pure; reading the file from disk is the caller's job.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import pandas as pd

NUMBER = "purchase_order_number"
SUPPLIER = "supplier"
EXPECTED_DATE = "expected_date"
SKU = "sku"
QUANTITY = "quantity"
PURCHASE_PRICE = "purchase_price"
COMMENT = "comment"

REQUIRED_COLUMNS = (NUMBER, SUPPLIER, EXPECTED_DATE, SKU, QUANTITY)
OPTIONAL_COLUMNS = (PURCHASE_PRICE, COMMENT)

# Header spellings accepted per column, compared after folding case, separators and diacritics.
_ALIASES: dict[str, tuple[str, ...]] = {
    NUMBER: ("purchaseordernumber", "purchaseorder", "ponumber", "po", "number", "inköpsordernummer",
             "inköpsordernr", "inköpsorder", "ordernummer", "ordernr"),
    SUPPLIER: ("supplier", "suppliername", "leverantör", "leverantörsnamn"),
    EXPECTED_DATE: ("expecteddate", "expecteddeliverydate", "deliverydate", "indate", "förväntatleveransdatum",
                    "leveransdatum", "förväntatdatum", "datum"),
    SKU: ("sku", "articlenumber", "artikelnummer", "artikelnr", "artnr"),
    QUANTITY: ("quantity", "qty", "numberofitems", "antal"),
    PURCHASE_PRICE: ("purchaseprice", "price", "unitprice", "inköpspris", "pris", "styckpris"),
    COMMENT: ("comment", "note", "kommentar", "anteckning"),
}


class PurchaseOrderFileError(ValueError):
    """The file as a whole cannot be used (unreadable, wrong type, a required column missing)."""


@dataclass(frozen=True)
class SheetRow:
    row: int  # as a spreadsheet shows it: the header is row 1, the first data row is row 2
    cells: Mapping[str, str]  # column name -> stripped text ("" when empty)


@dataclass(frozen=True)
class Sheet:
    source: str  # the file name (or "rows") errors refer to
    headers: Mapping[str, str]  # column name -> the header as written in the file
    rows: tuple[SheetRow, ...]

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


def _fold(header: object) -> str:
    """Compare headers without case, separators or Swedish diacritics ("Leverantör" = "leverantor")."""
    folded = re.sub(r"[\s_\-./]+", "", str(header)).casefold()
    return folded.translate(str.maketrans("åäö", "aao"))


_BY_SPELLING = {_fold(alias): column for column, aliases in _ALIASES.items() for alias in aliases}


def _columns(headers: Sequence[object], source: str) -> dict[str, str]:
    """Column name -> header as written; unknown headers are ignored, a missing required one is an error."""
    found: dict[str, str] = {}
    for header in headers:
        column = _BY_SPELLING.get(_fold(header))
        if column is not None and column not in found:
            found[column] = str(header).strip()
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        seen = ", ".join(repr(str(h).strip()) for h in headers if str(h).strip()) or "none"
        raise PurchaseOrderFileError(
            f"{source}: no column for {', '.join(missing)} (headers found: {seen}). The header row needs "
            f"{', '.join(REQUIRED_COLUMNS)}; {', '.join(OPTIONAL_COLUMNS)} are optional.")
    return found


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float: 10.0 is the quantity 10
    return str(value).strip()


def _sheet(frame: pd.DataFrame, source: str, first_row: int) -> Sheet:
    headers = _columns(list(frame.columns), source)
    by_header = {header: column for column, header in headers.items()}
    rows = []
    for offset, record in enumerate(frame.itertuples(index=False, name=None)):
        cells = {by_header[str(h).strip()]: _cell_text(v) for h, v in zip(frame.columns, record, strict=True)
                 if str(h).strip() in by_header}
        if any(cells.values()):  # blank lines between purchase orders are fine
            rows.append(SheetRow(first_row + offset, cells))
    return Sheet(source, headers, tuple(rows))


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_OLD_EXCEL = b"\xd0\xcf\x11\xe0"  # an .xls (or other OLE) file saved as or renamed to .csv


def _decode(content: bytes, source: str) -> str:
    """The text of a CSV file in whatever encoding Excel and friends write: UTF-8 (with or without BOM),
    UTF-16 with a BOM (Excel's "Unicode text"), Windows-1252 (Excel's "CSV" on Swedish Windows) — and a
    file whose lines were pasted together from both, decoded line by line, so one line in the wrong encoding
    costs no other line its å, ä and ö."""
    if content.startswith(_UTF16_BOMS):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PurchaseOrderFileError(f"{source}: starts as UTF-16 text but breaks off at byte {exc.start}; "
                                         "save it again as CSV UTF-8") from None
    if content.startswith(_OLD_EXCEL) or b"\x00" in content[:4096]:
        raise PurchaseOrderFileError(f"{source}: not a text file (an old .xls workbook?); save it as .xlsx "
                                     "or as CSV UTF-8")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = []
    for number, line in enumerate(content.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("cp1252"))
            except UnicodeDecodeError as exc:
                raise PurchaseOrderFileError(
                    f"{source}, row {number}: byte 0x{line[exc.start]:02x} is neither UTF-8 nor Windows-1252 text; "
                    "save the file as CSV UTF-8") from None
    return "\n".join(lines)


def _separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=header.count)


def read_csv(content: bytes, source: str) -> Sheet:
    text = _decode(content, source)
    if not text.strip():
        raise PurchaseOrderFileError(f"{source}: the file is empty")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=_separator(text), dtype=str, keep_default_na=False,
                            skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise PurchaseOrderFileError(f"{source}: not a readable CSV file: {exc}") from exc
    return _sheet(frame, source, first_row=2)


def read_xlsx(content: bytes, source: str) -> Sheet:
    try:
        frame = pd.read_excel(io.BytesIO(content), sheet_name=0, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises a zoo of errors for files that are not workbooks
        raise PurchaseOrderFileError(f"{source}: not a readable XLSX workbook: {exc}") from exc
    return _sheet(frame, source, first_row=2)


def read_sheet(content: bytes, file_name: str) -> Sheet:
    """A CSV or XLSX file's rows, by the file's extension."""
    source = PurePath(file_name).name
    suffix = PurePath(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(content, source)
    if suffix in (".csv", ".txt", ""):
        return read_csv(content, source)
    raise PurchaseOrderFileError(f"{source}: expected a .csv or .xlsx file, not {suffix}")


def rows_sheet(rows: Sequence[Mapping[str, Any]], source: str = "rows") -> Sheet:
    """Rows given as data (a flow parameter), numbered 1, 2, … in the order given."""
    if not rows:
        raise PurchaseOrderFileError(f"{source}: no rows given")
    headers: list[str] = []
    for row in rows:
        headers += [str(key) for key in row if str(key) not in headers]
    frame = pd.DataFrame([{h: row.get(h) for h in headers} for row in rows], columns=headers, dtype=object)
    return _sheet(frame, source, first_row=1)
