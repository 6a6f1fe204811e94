"""Purchase-order bindings: which purchase orders the connector sent to Ongoing, line by line, and
which receipt of each it last reported.

State changes are named functions: ``mark_purchase_order_pushed`` after Ongoing took a version,
``mark_purchase_order_refused`` when a change came too late, ``claim_initial_inbound`` before the one
initial inbound is sent, ``mark_receipt_reported`` once a receipt was reported onwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ledger.models import PurchaseOrderBinding, PurchaseOrderLineBinding
from ledger.types import utcnow

FILE = "file"
INITIAL = "initial"


@dataclass(frozen=True)
class PurchaseOrderLineSpec:
    """One line as Ongoing holds it: row number, SKU, advice and the line id it answers to."""

    row_number: str
    sku: str
    advised: float
    ongoing_line_id: int | None = None


@dataclass(frozen=True)
class ReceivedLine:
    """What was received on one line, as reported."""

    ongoing_line_id: int
    row_number: str | None
    sku: str
    advised: float
    received: float


def _bindings(merchant_id: str):
    return (select(PurchaseOrderBinding).where(PurchaseOrderBinding.merchant_id == merchant_id)
            .options(selectinload(PurchaseOrderBinding.lines)))


def purchase_orders_by_number(session: Session, merchant_id: str,
                              numbers: Iterable[str]) -> dict[str, PurchaseOrderBinding]:
    numbers = list(numbers)
    if not numbers:
        return {}
    found = session.scalars(_bindings(merchant_id).where(PurchaseOrderBinding.purchase_order_number.in_(numbers)))
    return {b.purchase_order_number: b for b in found}


def find_initial_inbound(session: Session, merchant_id: str) -> PurchaseOrderBinding | None:
    return session.scalars(_bindings(merchant_id).where(PurchaseOrderBinding.origin == INITIAL)
                           .order_by(PurchaseOrderBinding.id)).first()


def claim_initial_inbound(session: Session, merchant_id: str, number: str) -> PurchaseOrderBinding:
    """The merchant's one initial inbound: recorded before it is sent, so a rerun on another day reuses
    its number instead of creating a second one. Returns the existing claim if there is one."""
    existing = find_initial_inbound(session, merchant_id)
    if existing is not None:
        return existing
    binding = PurchaseOrderBinding(merchant_id=merchant_id, purchase_order_number=number, origin=INITIAL)
    session.add(binding)
    session.flush()
    return binding


def _replace_lines(binding: PurchaseOrderBinding, lines: Sequence[PurchaseOrderLineSpec]) -> None:
    # Update rows in place by row number: dropping and re-adding one would break the (order, row) key.
    wanted = {line.row_number: line for line in lines}
    for existing in list(binding.lines):
        if existing.row_number not in wanted:
            binding.lines.remove(existing)
    current = {line.row_number: line for line in binding.lines}
    for row, line in wanted.items():
        bound = current.get(row)
        if bound is None:
            binding.lines.append(PurchaseOrderLineBinding(row_number=row, sku=line.sku, advised=line.advised,
                                                          ongoing_line_id=line.ongoing_line_id, received_reported=0))
        else:
            bound.sku, bound.advised = line.sku, line.advised
            bound.ongoing_line_id = line.ongoing_line_id or bound.ongoing_line_id


def mark_purchase_order_pushed(session: Session, merchant_id: str, *, number: str, origin: str, source: str | None,
                               ongoing_purchase_order_id: int, pushed_hash: str, expected_date: date,
                               lines: Sequence[PurchaseOrderLineSpec],
                               now: datetime | None = None) -> PurchaseOrderBinding:
    """Ongoing holds this version of the purchase order (read back after the write)."""
    binding = purchase_orders_by_number(session, merchant_id, [number]).get(number)
    if binding is None:
        binding = PurchaseOrderBinding(merchant_id=merchant_id, purchase_order_number=number, origin=origin)
        session.add(binding)
    binding.source = source[:200] if source else None
    binding.ongoing_purchase_order_id = ongoing_purchase_order_id
    binding.pushed_hash, binding.refused_hash = pushed_hash, None
    binding.expected_date = expected_date
    binding.pushed_at = now or utcnow()
    _replace_lines(binding, lines)
    session.flush()
    return binding


def mark_purchase_order_refused(session: Session, merchant_id: str, number: str, refused_hash: str, *,
                                origin: str = FILE) -> None:
    """A version came after the warehouse started receiving; remember it so it is refused only once (also
    for a purchase order the connector never sent, which stays unsent: no ``pushed_hash``)."""
    binding = purchase_orders_by_number(session, merchant_id, [number]).get(number)
    if binding is None:
        binding = PurchaseOrderBinding(merchant_id=merchant_id, purchase_order_number=number, origin=origin)
        session.add(binding)
    binding.refused_hash = refused_hash


def read_back(binding: PurchaseOrderBinding) -> bool:
    """Whether the pushed version was read back from Ongoing: only then are its lines bound to Ongoing's
    line ids (a write whose read-back failed is bound with the lines as sent)."""
    return bool(binding.lines) and all(line.ongoing_line_id is not None for line in binding.lines)


def received_as_reported(binding: PurchaseOrderBinding) -> dict[int, float]:
    """Ongoing line id → the received quantity last reported."""
    return {line.ongoing_line_id: float(line.received_reported) for line in binding.lines
            if line.ongoing_line_id is not None}


def advised_rows(binding: PurchaseOrderBinding) -> set[str]:
    """The row numbers the connector advised (lines the warehouse added have advice 0)."""
    return {line.row_number for line in binding.lines if float(line.advised) > 0}


def mark_receipt_reported(binding: PurchaseOrderBinding, *, receipt_hash: str, lines: Sequence[ReceivedLine],
                          now: datetime | None = None) -> None:
    """The receipt with this snapshot was reported; lines the warehouse added are bound too."""
    by_line_id = {line.ongoing_line_id: line for line in binding.lines if line.ongoing_line_id is not None}
    unread = {line.row_number: line for line in binding.lines if line.ongoing_line_id is None}
    rows = {line.row_number for line in binding.lines}
    for received in lines:
        bound = by_line_id.get(received.ongoing_line_id)
        if bound is None and received.row_number in unread:  # sent, never read back: its row binds it now
            bound = unread.pop(received.row_number)
            bound.ongoing_line_id = received.ongoing_line_id
        elif bound is None:
            row = received.row_number if received.row_number and received.row_number not in rows \
                else f"#{received.ongoing_line_id}"
            bound = PurchaseOrderLineBinding(row_number=row, sku=received.sku, advised=received.advised,
                                             ongoing_line_id=received.ongoing_line_id)
            binding.lines.append(bound)
            rows.add(row)
        bound.received_reported = received.received
    binding.receipt_hash = receipt_hash
    binding.receipt_reported_at = now or utcnow()
