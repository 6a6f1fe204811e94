"""Purchase orders the merchant sends to the warehouse: validating the rows of a purchase-order list,
and turning each purchase order into the body of Ongoing's upsert.

A purchase order is every row sharing one number; supplier and expected date are the same on all of
them, and each row adds one SKU with a whole, positive quantity. A bad row stops only its own purchase
order: the others go. Every error names the source, the row and the column, in the header's own words.
Once the warehouse has started receiving a purchase order, the connector no longer changes it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from domain.field_limits import utf16_length
from domain.hashing import payload_hash
from domain.purchase_order_file import (
    COMMENT,
    EXPECTED_DATE,
    NUMBER,
    PURCHASE_PRICE,
    QUANTITY,
    SKU,
    SUPPLIER,
    Sheet,
    SheetRow,
)
from integrations.errors import MappingError
from integrations.ongoing.models import (
    PurchaseOrder,
    PurchaseOrderLineWrite,
    PurchaseOrderSupplierWrite,
    PurchaseOrderWrite,
)
from integrations.starweb.models import Product, Variant

# Lengths the connector keeps to (Ongoing publishes none; these match its order number and SKU limits).
MAX_NUMBER = 50
MAX_SKU = 50
MAX_SUPPLIER = 100
MAX_COMMENT = 255
# Ongoing's purchase-order statuses: 300 "Inbound" means receiving is under way, 900 "Cancelled".
RECEIVING_STATUS = 300
CANCELLED_STATUS = 900


@dataclass(frozen=True)
class RowError:
    """One problem with one row (or the whole source when ``row`` is None)."""

    source: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class PurchaseOrderLine:
    row: int  # where it came from
    sku: str
    quantity: int
    purchase_price: Decimal | None = None
    comment: str | None = None


@dataclass(frozen=True)
class PurchaseOrderDraft:
    """One purchase order as the merchant means it, ready to be sent."""

    number: str
    supplier: str
    expected_date: date
    lines: tuple[PurchaseOrderLine, ...]

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def skus(self) -> set[str]:
        return {line.sku for line in self.lines}


@dataclass
class Validation:
    """What a sheet holds: purchase orders ready to send, those stopped by a bad row (by number, with
    every error), and errors of rows that name no purchase order at all."""

    orders: list[PurchaseOrderDraft] = field(default_factory=list)
    rejected: dict[str, list[RowError]] = field(default_factory=dict)
    unattached: list[RowError] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return [*self.unattached, *(e for errors in self.rejected.values() for e in errors)]

    @property
    def skus(self) -> set[str]:
        """The SKUs of the purchase orders ready to send."""
        return {sku for order in self.orders for sku in order.skus}


# --- reading one cell --------------------------------------------------------------------------


class _CellError(ValueError):
    pass


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_YEAR_FIRST_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")


def parse_date(text: str) -> date:
    """A date as Swedish and ISO spreadsheets write it: 2026-12-15, 20261215, 15.12.2026, 15/12/2026."""
    for pattern, order in ((_ISO, "ymd"), (_COMPACT, "ymd"), (_YEAR_FIRST_SLASH, "ymd"), (_DAY_FIRST, "dmy")):
        match = pattern.match(text)
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = parts if order == "ymd" else parts[::-1]
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise _CellError(f"{text!r} is not a real date ({exc})") from exc
    raise _CellError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-15")


def parse_decimal(text: str) -> Decimal:
    """A number with a decimal comma or point; spaces (also non-breaking) group thousands."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in cleaned and "." in cleaned:  # the later one is the decimal separator
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "")
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise _CellError(f"{text!r} is not a number") from exc
    if not value.is_finite():
        raise _CellError(f"{text!r} is not a number")
    return value


def parse_quantity(text: str) -> int:
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise _CellError(f"{text} is not a whole number of units")
    if value <= 0:
        raise _CellError(f"the quantity must be at least 1, not {text}")
    return int(value)


# --- validating a sheet -------------------------------------------------------------------------


@dataclass
class _Row:
    source: SheetRow
    number: str
    errors: list[RowError]
    sku: str = ""
    quantity: int = 0
    supplier: str = ""
    expected: date | None = None
    price: Decimal | None = None
    comment: str | None = None


def skus_in(sheet: Sheet) -> set[str]:
    """Every SKU the sheet names, to look up in both systems before validating."""
    return {row.cells.get(SKU, "") for row in sheet.rows} - {""}


def _read_row(sheet: Sheet, row: SheetRow, today: date, known_skus: Collection[str]) -> _Row:
    cells = row.cells
    parsed = _Row(row, cells.get(NUMBER, ""), [])

    def error(column: str, message: str) -> None:
        parsed.errors.append(RowError(sheet.source, row.row, sheet.header(column), message))

    def required(column: str, what: str, limit: int) -> str:
        value = cells.get(column, "")
        if not value:
            error(column, f"the {what} is missing")
        elif utf16_length(value) > limit:
            error(column, f"the {what} is {utf16_length(value)} characters long; at most {limit} fit in Ongoing")
        return value

    parsed.number = required(NUMBER, "purchase order number", MAX_NUMBER)
    parsed.supplier = required(SUPPLIER, "supplier", MAX_SUPPLIER)
    parsed.sku = required(SKU, "SKU", MAX_SKU)
    if parsed.sku and utf16_length(parsed.sku) <= MAX_SKU and parsed.sku not in known_skus:
        error(SKU, f"unknown SKU {parsed.sku!r}: it is neither a Starweb variant nor an Ongoing article")
    if not cells.get(QUANTITY):
        error(QUANTITY, "the quantity is missing")
    else:
        try:
            parsed.quantity = parse_quantity(cells[QUANTITY])
        except _CellError as exc:
            error(QUANTITY, str(exc))
    if not cells.get(EXPECTED_DATE):
        error(EXPECTED_DATE, "the expected delivery date is missing")
    else:
        try:
            parsed.expected = parse_date(cells[EXPECTED_DATE])
        except _CellError as exc:
            error(EXPECTED_DATE, str(exc))
        else:
            if parsed.expected < today:
                error(EXPECTED_DATE, f"{parsed.expected.isoformat()} is in the past (today is {today.isoformat()})")
    if cells.get(PURCHASE_PRICE):
        try:
            parsed.price = parse_decimal(cells[PURCHASE_PRICE])
        except _CellError as exc:
            error(PURCHASE_PRICE, str(exc))
        else:
            if parsed.price < 0:
                error(PURCHASE_PRICE, f"the purchase price cannot be negative ({cells[PURCHASE_PRICE]})")
    comment = cells.get(COMMENT, "")
    if utf16_length(comment) > MAX_COMMENT:
        error(COMMENT, f"the comment is {utf16_length(comment)} characters long; at most {MAX_COMMENT} fit in "
                       "Ongoing")
    parsed.comment = comment or None
    return parsed


def _agreement_errors(sheet: Sheet, rows: list[_Row]) -> list[RowError]:
    """Rows of one purchase order must agree on supplier and date and name each SKU once."""
    errors: list[RowError] = []
    first = rows[0]
    first_sku_row: dict[str, int] = {}
    for row in rows:
        where = row.source.row
        if row is not first and row.supplier and first.supplier and row.supplier != first.supplier:
            errors.append(RowError(sheet.source, where, sheet.header(SUPPLIER),
                                   f"supplier {row.supplier!r} differs from {first.supplier!r} on row "
                                   f"{first.source.row} of purchase order {row.number}"))
        if row is not first and row.expected and first.expected and row.expected != first.expected:
            errors.append(RowError(sheet.source, where, sheet.header(EXPECTED_DATE),
                                   f"expected date {row.expected.isoformat()} differs from "
                                   f"{first.expected.isoformat()} on row {first.source.row} of purchase order "
                                   f"{row.number}"))
        if row.sku in first_sku_row:
            errors.append(RowError(sheet.source, where, sheet.header(SKU),
                                   f"SKU {row.sku!r} is already on row {first_sku_row[row.sku]} of purchase order "
                                   f"{row.number}; put the total quantity on one row"))
        elif row.sku:
            first_sku_row[row.sku] = where
    return errors


def validate_sheet(sheet: Sheet, *, today: date, known_skus: Collection[str]) -> Validation:
    """Group rows into purchase orders (in the order they first appear) and check every row."""
    result = Validation()
    by_number: dict[str, list[_Row]] = {}
    for sheet_row in sheet.rows:
        row = _read_row(sheet, sheet_row, today, known_skus)
        if not row.number:
            result.unattached.extend(row.errors)
            continue
        by_number.setdefault(row.number, []).append(row)
    for number, rows in by_number.items():
        errors = [e for row in rows for e in row.errors] + _agreement_errors(sheet, rows)
        if errors:
            result.rejected[number] = sorted(errors, key=lambda e: (e.row or 0))
            continue
        first = rows[0]
        assert first.expected is not None
        result.orders.append(PurchaseOrderDraft(
            number=number, supplier=first.supplier, expected_date=first.expected,
            lines=tuple(PurchaseOrderLine(row.source.row, row.sku, row.quantity, row.price, row.comment)
                        for row in rows)))
    return result


# --- the initial inbound --------------------------------------------------------------------------


def shop_stock(products: Iterable[tuple[Product, list[Variant]]]) -> dict[str, int]:
    """Each SKU's current ``stockQuantity`` in the shop (variants without a SKU or a figure are left out)."""
    return {str(v.sku): v.stock_quantity for _, variants in products for v in variants
            if v.sku and v.stock_quantity is not None}


def initial_inbound(number: str, supplier: str, expected: date, stock: Mapping[str, int],
                    *, leave_out: Collection[str] = ()) -> PurchaseOrderDraft:
    """One purchase order bringing the shop's current stock into the warehouse: a line per SKU with
    stock above zero, in SKU order (except SKUs in ``leave_out``, which cannot be articles)."""
    lines = [(sku, stock[sku]) for sku in sorted(stock) if stock[sku] > 0 and sku not in leave_out]
    return PurchaseOrderDraft(number, supplier, expected,
                              tuple(PurchaseOrderLine(row, sku, qty) for row, (sku, qty) in enumerate(lines, 1)))


# --- Ongoing -------------------------------------------------------------------------------------


def to_ongoing_purchase_order(draft: PurchaseOrderDraft) -> PurchaseOrderWrite:
    """The ``PUT /purchaseOrders`` body: rows numbered 1, 2, … in the merchant's order; the purchase
    price per unit goes in the line's ``rowPrice``."""
    if not draft.lines:
        raise MappingError(f"purchase order {draft.number} has no lines")
    return PurchaseOrderWrite(
        purchase_order_number=draft.number,
        in_date=draft.expected_date,
        supplier_info=PurchaseOrderSupplierWrite(supplier_name=draft.supplier),
        purchase_order_lines=[
            PurchaseOrderLineWrite(row_number=str(position), article_number=line.sku,
                                   number_of_items=float(line.quantity),
                                   row_price=float(line.purchase_price) if line.purchase_price is not None else None,
                                   comment=line.comment)
            for position, line in enumerate(draft.lines, start=1)
        ],
    )


def purchase_order_hash(payload: PurchaseOrderWrite) -> str:
    return payload_hash(payload)


def receiving_started(purchase_order: PurchaseOrder) -> bool:
    """Has the warehouse begun receiving (status Inbound or later, or any unit received)?"""
    status = purchase_order.status_number or 0
    received = any((line.received_number_of_items or 0) > 0 for line in purchase_order.purchase_order_lines)
    return received or status >= RECEIVING_STATUS


def is_cancelled(purchase_order: PurchaseOrder) -> bool:
    return (purchase_order.status_number or 0) == CANCELLED_STATUS


def why_unchangeable(purchase_order: PurchaseOrder) -> str | None:
    """The reason the connector must not change this purchase order any more, or None."""
    info = purchase_order.purchase_order_info
    status = info.purchase_order_status
    described = f"status {status.number} {status.text or ''}".strip() if status and status.number else "no status"
    if is_cancelled(purchase_order):
        return f"purchase order {info.purchase_order_number} is cancelled in Ongoing ({described})"
    if receiving_started(purchase_order):
        received = sum(line.received_number_of_items or 0 for line in purchase_order.purchase_order_lines)
        return (f"the warehouse has started receiving purchase order {info.purchase_order_number} ({described}, "
                f"{received:g} units received), so it can no longer be changed; agree any change with the "
                "warehouse, or send the rest as a new purchase order")
    return None


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def differences(purchase_order: PurchaseOrder, payload: PurchaseOrderWrite) -> list[str]:
    """How what Ongoing holds differs from this purchase order (date, supplier, lines); empty if not at all."""
    found: list[str] = []
    have_date, want_date = _as_date(purchase_order.purchase_order_info.in_date), _as_date(payload.in_date)
    if have_date != want_date:
        found.append(f"expected date {have_date} instead of {want_date}")
    supplier = purchase_order.supplier_info.supplier_name if purchase_order.supplier_info else None
    wanted_supplier = payload.supplier_info.supplier_name if payload.supplier_info else None
    if supplier != wanted_supplier:
        found.append(f"supplier {supplier!r} instead of {wanted_supplier!r}")
    # A row with no advice is no line at all (that is how a dropped row is sent: see zero_left_out_rows).
    have = {line.row_number or f"#{line.id}": (line.article.article_number if line.article else None,
                                                float(line.advised_number_of_items or 0))
            for line in purchase_order.purchase_order_lines if (line.advised_number_of_items or 0) > 0}
    want = {line.row_number: (line.article_number, float(line.number_of_items or 0))
            for line in payload.purchase_order_lines or [] if (line.number_of_items or 0) > 0}
    for row in sorted(have.keys() | want.keys()):
        if have.get(row) != want.get(row):
            held = f"{have[row][0]} × {have[row][1]:g}" if row in have else "nothing"
            sent = f"{want[row][0]} × {want[row][1]:g}" if row in want else "no line"
            found.append(f"row {row}: {held} instead of {sent}")
    return found


def zero_left_out_rows(payload: PurchaseOrderWrite, held: PurchaseOrder) -> PurchaseOrderWrite:
    """The update of a purchase order Ongoing already holds: rows the merchant dropped are sent with 0
    units, since Ongoing does not document whether an update removes the rows it leaves out."""
    sent = {line.row_number for line in payload.purchase_order_lines or []}
    dropped = [PurchaseOrderLineWrite(row_number=line.row_number, article_number=line.article.article_number,
                                      number_of_items=0.0)
               for line in held.purchase_order_lines
               if line.row_number and line.row_number not in sent and (line.advised_number_of_items or 0) > 0
               and line.article is not None and line.article.article_number]
    if not dropped:
        return payload
    return payload.model_copy(update={"purchase_order_lines": [*(payload.purchase_order_lines or []), *dropped]})


def same_as_in_ongoing(purchase_order: PurchaseOrder, payload: PurchaseOrderWrite) -> bool:
    """Does Ongoing already hold exactly this purchase order (date, supplier, lines)?"""
    return not differences(purchase_order, payload)
