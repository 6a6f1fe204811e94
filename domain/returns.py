"""Returns: goods that came back to the warehouse, found in Ongoing's three places for them.

The warehouse records a return on the sales order itself (``returnedNumberOfItems`` per line, the
returned units with their cause), on a return order announced beforehand (``/returnOrders``), or as a
return-type inbound delivery (a purchase order with ``purchaseOrderIsReturnType``). Every figure Ongoing
shows is cumulative, so what is new is the figure less what the ledger already registered, per source
line and per return cause. A return is one batch of new units of one kind from one document; its key
hashes the cumulative figures, so re-reading the same state gives the same key and registers nothing twice.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from domain.config import ReturnSettings
from domain.hashing import payload_hash
from domain.shipments import shipped_quantities
from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import PurchaseOrder, ReturnOrder


class ReturnKind(StrEnum):
    REGRET = "regret"  # ångerköp, or any return whose cause is not listed otherwise: refund due
    NOT_COLLECTED = "not_collected"  # the parcel came back to the sender: contact the customer
    COMPLAINT = "complaint"  # reklamation: the merchant decides with the customer


class ReturnSource(StrEnum):
    SALES_ORDER = "sales-order"
    RETURN_ORDER = "return-order"
    PURCHASE_ORDER = "purchase-order"


@dataclass(frozen=True)
class ReturnedLine:
    """New returned units of one source line and one cause; ``restocked`` of them went back to stock."""

    line_ref: str  # the source document's own line id
    sku: str
    cause: str | None
    units: float
    restocked: float
    order_line_id: int | None = None  # the Ongoing sales-order line, where the source knows it
    row_number: str | None = None


@dataclass(frozen=True)
class Acknowledgement:
    """What to write back to Ongoing once the return is registered, so it is not offered again."""

    target: Literal["order-line", "purchase-order-line"]
    document_id: int
    line_id: int
    value: float


@dataclass(frozen=True)
class DetectedReturn:
    source: ReturnSource
    document_id: int  # Ongoing orderId, returnOrderId or purchaseOrderId
    reference: str  # its number as people know it
    order_number: str | None  # the Ongoing sales order it belongs to (unknown for a return inbound)
    goods_owner_order_id: str | None
    kind: ReturnKind
    lines: tuple[ReturnedLine, ...]
    key: str
    returned_at: datetime | None = None
    comments: tuple[str, ...] = ()
    acknowledgements: tuple[Acknowledgement, ...] = ()
    search_texts: tuple[str, ...] = ()  # where a return inbound names its order

    @property
    def units(self) -> float:
        return sum(line.units for line in self.lines)


@dataclass(frozen=True)
class RegisteredLine:
    """A line of a return already in the ledger."""

    source: ReturnSource
    document_id: int
    line_ref: str
    cause: str | None
    units: float
    restocked: float


# cause → (units, of which restocked)
CauseUnits = dict[str | None, tuple[float, float]]


@dataclass
class Registered:
    """The ledger's registered units, looked up by source line."""

    by_line: dict[tuple[ReturnSource, int, str], CauseUnits] = field(default_factory=dict)

    @classmethod
    def of(cls, lines: Iterable[RegisteredLine]) -> Registered:
        found: dict[tuple[ReturnSource, int, str], CauseUnits] = defaultdict(dict)
        for line in lines:
            pool = found[(line.source, line.document_id, line.line_ref)]
            units, restocked = pool.get(line.cause, (0.0, 0.0))
            pool[line.cause] = (units + line.units, restocked + line.restocked)
        return cls(dict(found))

    def pool(self, source: ReturnSource, document_id: int, line_ref: str) -> CauseUnits:
        return self.by_line.get((source, document_id, line_ref), {})


def classify(cause: str | None, settings: ReturnSettings) -> ReturnKind:
    """The kind of return a cause code means for this merchant (unlisted causes are regret returns)."""
    if cause in settings.not_collected_causes:
        return ReturnKind.NOT_COLLECTED
    if cause in settings.complaint_causes:
        return ReturnKind.COMPLAINT
    return ReturnKind.REGRET


def total(pool: CauseUnits) -> float:
    return sum(units for units, _ in pool.values())


def pool_of(items: Iterable[tuple[str | None, float, bool]], line_total: float) -> CauseUnits:
    """Units per cause from item rows (cause, units, discarded); what the rows do not cover of the line's
    own total is counted as restocked units without a cause."""
    pool: CauseUnits = {}
    for cause, units, discarded in items:
        have, restocked = pool.get(cause, (0.0, 0.0))
        pool[cause] = (have + units, restocked + (0.0 if discarded else units))
    rest = line_total - total(pool)
    if rest > 0:
        have, restocked = pool.get(None, (0.0, 0.0))
        pool[None] = (have + rest, restocked + rest)
    return pool


def subtract(pool: CauseUnits, other: CauseUnits) -> CauseUnits:
    """What ``pool`` holds beyond ``other``, per cause."""
    left: CauseUnits = {}
    for cause, (units, restocked) in pool.items():
        used, used_restocked = other.get(cause, (0.0, 0.0))
        units_left = max(0.0, units - used)
        if units_left > 0:
            left[cause] = (units_left, min(units_left, max(0.0, restocked - used_restocked)))
    return left


def allocate(pool: CauseUnits, wanted: float) -> CauseUnits:
    """``wanted`` units taken from the pool cause by cause (stable order); any shortfall has no cause."""
    taken: CauseUnits = {}
    for cause in sorted(pool, key=lambda c: (c is None, c or "")):
        if wanted <= 0:
            break
        units, restocked = pool[cause]
        share = min(units, wanted)
        taken[cause] = (share, min(share, restocked))
        wanted -= share
    if wanted > 0:
        have, restocked = taken.get(None, (0.0, 0.0))
        taken[None] = (have + wanted, restocked + wanted)
    return taken


def _key(source: ReturnSource, document_id: int, kind: ReturnKind, lines: Sequence[ReturnedLine],
         registered: Registered) -> str:
    """The same cumulative state of the same document always gives the same key."""
    cumulative = sorted(
        (line.line_ref, line.cause or "", total(registered.pool(source, document_id, line.line_ref)) + line.units)
        for line in lines)
    return payload_hash({"source": source.value, "document": document_id, "kind": kind.value,
                         "cumulative": [list(row) for row in cumulative]})[:40]


def _split_by_kind(source: ReturnSource, document_id: int, lines: Sequence[ReturnedLine], registered: Registered,
                   settings: ReturnSettings, *, returned_to_sender: bool = False,
                   **common: object) -> list[DetectedReturn]:
    by_kind: dict[ReturnKind, list[ReturnedLine]] = defaultdict(list)
    for line in lines:
        kind = classify(line.cause, settings)
        if returned_to_sender and kind is ReturnKind.REGRET:
            kind = ReturnKind.NOT_COLLECTED
        by_kind[kind].append(line)
    return [DetectedReturn(source=source, document_id=document_id, kind=kind, lines=tuple(group),
                           key=_key(source, document_id, kind, group, registered), **common)  # type: ignore[arg-type]
            for kind, group in sorted(by_kind.items())]


def _lines(pool: CauseUnits, **line: object) -> list[ReturnedLine]:
    return [ReturnedLine(cause=cause, units=units, restocked=restocked, **line)  # type: ignore[arg-type]
            for cause, (units, restocked) in pool.items() if units > 0]


def returned_to_sender(order: OngoingOrder) -> bool:
    """The outbound parcel itself came back: a return waybill equal to one the order was sent with."""
    outbound = {t.waybill for t in order.tracking} | {order.order_info.way_bill}
    returned = {t.waybill for t in order.return_tracking} | {order.order_info.return_way_bill}
    return bool((outbound & returned) - {None, ""})


def _latest(current: datetime | None, times: Iterable[datetime | None]) -> datetime | None:
    candidates = [t for t in (current, *times) if t is not None]
    return max(candidates) if candidates else None


def _with_acknowledgements(found: list[DetectedReturn], acknowledgements: Sequence[Acknowledgement]) -> None:
    """The last return of a document carries its acknowledgements: they are written once it is registered."""
    if found and acknowledgements:
        found[-1] = replace(found[-1], acknowledgements=tuple(acknowledgements))


@dataclass(frozen=True)
class OrderReturns:
    returns: list[DetectedReturn]
    problem: str | None = None  # figures that do not add up: the order needs a person
    waiting: str | None = None  # not yet: the shipment must reach Starweb before its return does


def returns_of_order(order: OngoingOrder, return_orders: Sequence[ReturnOrder], registered: Registered,
                     discarding_causes: Mapping[str, bool], settings: ReturnSettings) -> OrderReturns:
    """New returns of one sales order: units received against its return orders, and units registered on
    the order directly. Where the warehouse counts return-order arrivals on the order's lines too
    (``return_orders_on_sales_order``), those units are taken off the order's figures first."""
    found: list[DetectedReturn] = []
    arrived_by_line: dict[int, CauseUnits] = defaultdict(dict)
    for return_order in return_orders:
        found += _returns_of_return_order(order, return_order, registered, settings, arrived_by_line)

    counted_on_order = settings.return_orders_on_sales_order
    direct: list[ReturnedLine] = []
    acknowledgements: list[Acknowledgement] = []
    newest: datetime | None = None
    for line in order.order_lines:
        returned = float(line.returned_number_of_items or 0)
        if returned > float(line.reported_returned_number_of_items or 0):
            acknowledgements.append(Acknowledgement("order-line", order.order_id, line.id, returned))
        items = [(item.return_cause.code if item.return_cause else None, float(item.number_of_items or 0),
                  discarding_causes.get(item.return_cause.code or "", False) if item.return_cause else False)
                 for item in line.picked_article_items if item.is_returned]
        newest = _latest(newest, (i.return_date for i in line.picked_article_items if i.is_returned))
        on_order = pool_of(items, returned)
        arrived = arrived_by_line.get(line.id, {})
        if counted_on_order:
            if total(arrived) > returned:
                return OrderReturns([], f"order {order.order_number} row {line.row_number}: return orders show "
                                        f"{total(arrived):g} unit(s) back but the order only {returned:g}; this "
                                        "warehouse does not count return-order arrivals on the order (set "
                                        "returns.return_orders_on_sales_order: false)")
            on_order = subtract(on_order, arrived)
            returned -= total(arrived)
        already = registered.pool(ReturnSource.SALES_ORDER, order.order_id, str(line.id))
        wanted = returned - total(already)
        if wanted > 0:
            direct += _lines(allocate(subtract(on_order, already), wanted), line_ref=str(line.id),
                             sku=line.article.article_number if line.article else "", order_line_id=line.id,
                             row_number=line.row_number)
    found += _split_by_kind(ReturnSource.SALES_ORDER, order.order_id, direct, registered, settings,
                            returned_to_sender=returned_to_sender(order), reference=order.order_number,
                            order_number=order.order_number, goods_owner_order_id=order.order_info.goods_owner_order_id,
                            returned_at=newest)
    _with_acknowledgements(found, acknowledgements)
    if found and _shipment_unreported(order):
        # Registered first, the return's status would be overwritten by the shipment report's "sent".
        return OrderReturns([], waiting=f"order {order.order_number}: its shipment has not been reported to "
                                        "Starweb yet; the return follows once it has")
    return OrderReturns(found)


def _shipment_unreported(order: OngoingOrder) -> bool:
    shipped = shipped_quantities(order)
    return any(shipped.get(line.row_number or str(line.id), 0.0) > float(line.reported_number_of_items or 0)
               for line in order.order_lines)


def _returns_of_return_order(order: OngoingOrder, return_order: ReturnOrder, registered: Registered,
                             settings: ReturnSettings, arrived_by_line: dict[int, CauseUnits]) -> list[DetectedReturn]:
    rows = {line.id: line.row_number for line in order.order_lines}
    lines: list[ReturnedLine] = []
    comments = [return_order.return_order_info.comment] if return_order.return_order_info.comment else []
    newest: datetime | None = None
    for line in return_order.return_order_lines:
        returned = float(line.returned_number_of_items or 0)
        line_cause = line.return_cause.code if line.return_cause else None
        items = [((item.return_cause.code if item.return_cause else None) or line_cause,
                  float(item.number_of_items or 0), bool(item.is_return_removed_by_inventory))
                 for item in line.returned_article_items]
        pool = pool_of(items, returned)
        if line_cause is not None and None in pool:  # units the items do not detail carry the line's cause
            units, restocked = pool.pop(None)
            have, have_restocked = pool.get(line_cause, (0.0, 0.0))
            pool[line_cause] = (have + units, have_restocked + restocked)
        order_line_id = line.customer_order_line.order_line_id if line.customer_order_line else None
        if order_line_id is not None:
            merged = arrived_by_line[order_line_id]
            for cause, (units, restocked) in pool.items():
                have, have_restocked = merged.get(cause, (0.0, 0.0))
                merged[cause] = (have + units, have_restocked + restocked)
        ref = str(line.return_order_line_id or line.return_order_row_number)
        already = registered.pool(ReturnSource.RETURN_ORDER, return_order.return_order_id, ref)
        wanted = returned - total(already)
        if wanted > 0:
            lines += _lines(allocate(subtract(pool, already), wanted), line_ref=ref,
                            sku=line.article.article_number if line.article and line.article.article_number else "",
                            order_line_id=order_line_id, row_number=rows.get(order_line_id or -1))
            comments += [i.return_comment for i in line.returned_article_items if i.return_comment]
            newest = _latest(newest, (i.return_time for i in line.returned_article_items))
    number = return_order.return_order_info.return_order_number or str(return_order.return_order_id)
    return _split_by_kind(ReturnSource.RETURN_ORDER, return_order.return_order_id, lines, registered, settings,
                          reference=number, order_number=order.order_number,
                          goods_owner_order_id=order.order_info.goods_owner_order_id, returned_at=newest,
                          comments=tuple(dict.fromkeys(comments)))


def returns_of_inbound(purchase_order: PurchaseOrder, registered: Registered,
                       settings: ReturnSettings) -> list[DetectedReturn]:
    """New units received on a return-type inbound delivery (none for an ordinary purchase order). The
    goods go to stock; which Starweb order they belong to is read from the texts the TPL entered."""
    info = purchase_order.purchase_order_info
    if not (info.advanced and info.advanced.purchase_order_is_return_type):
        return []
    lines: list[ReturnedLine] = []
    acknowledgements: list[Acknowledgement] = []
    for line in purchase_order.purchase_order_lines:
        received = float(line.received_number_of_items or 0)
        if received > float(line.reported_number_of_items or 0):
            acknowledgements.append(Acknowledgement("purchase-order-line", purchase_order.purchase_order_id, line.id,
                                                    received))
        wanted = received - total(registered.pool(ReturnSource.PURCHASE_ORDER, purchase_order.purchase_order_id,
                                                  str(line.id)))
        if wanted > 0:
            sku = line.article.article_number if line.article and line.article.article_number else ""
            lines.append(ReturnedLine(line_ref=str(line.id), sku=sku, cause=None, units=wanted, restocked=wanted,
                                      row_number=line.row_number))
    if not lines:
        return []
    texts = [info.purchase_order_number, info.reference_number, info.goods_owner_reference, info.supplier_order_number,
             info.purchase_order_remark, *(line.comment for line in purchase_order.purchase_order_lines)]
    found = _split_by_kind(ReturnSource.PURCHASE_ORDER, purchase_order.purchase_order_id, lines, registered, settings,
                           reference=info.purchase_order_number, order_number=None, goods_owner_order_id=None,
                           returned_at=info.advanced.arrival_date,
                           comments=tuple(t for t in [info.purchase_order_remark] if t),
                           search_texts=tuple(t for t in texts if t))
    _with_acknowledgements(found, acknowledgements)
    return found


def order_ids_named(texts: Iterable[str], pattern: re.Pattern[str]) -> set[int]:
    """Every Starweb order id the pattern finds in the texts (group 1 of each match)."""
    found: set[int] = set()
    for text in texts:
        for match in pattern.finditer(text):
            value = match.group(1)
            if value and value.isdigit():
                found.add(int(value))
    return found
