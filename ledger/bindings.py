"""Bindings: which Starweb order, line and product is which Ongoing order, line and article.

State changes are named functions (``mark_exported``, ``mark_pushed``, ``mark_cancelled`` …) so the
story of an order can be read from the calls, not from scattered column updates. The ledger works
with plain values; mapping vendor models to these values is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from ledger.atomic import rows_changed
from ledger.models import ArticleBinding, LineBinding, OrderBinding
from ledger.types import utcnow

FINAL_STATES = ("sent", "cancelled", "returned")


@dataclass(frozen=True)
class LineSpec:
    """One order line as both sides agreed on it at the last write."""

    row_number: str
    sku: str
    quantity: float
    starweb_item_id: int | None = None
    ongoing_line_id: int | None = None


# --- orders ------------------------------------------------------------------------------------


def _orders(merchant_id: str):
    return (select(OrderBinding).where(OrderBinding.merchant_id == merchant_id)
            .options(selectinload(OrderBinding.lines)))


def find_order(session: Session, merchant_id: str, starweb_order_id: int) -> OrderBinding | None:
    return session.scalars(_orders(merchant_id).where(OrderBinding.starweb_order_id == starweb_order_id)).first()


def orders_by_starweb_id(session: Session, merchant_id: str, ids: Iterable[int]) -> dict[int, OrderBinding]:
    ids = list(ids)
    if not ids:
        return {}
    found = session.scalars(_orders(merchant_id).where(OrderBinding.starweb_order_id.in_(ids)))
    return {b.starweb_order_id: b for b in found}


def bound_order_ids(session: Session, merchant_id: str, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` (Starweb order ids) that are bound, without loading the bindings."""
    ids = list(ids)
    if not ids:
        return set()
    return set(session.scalars(select(OrderBinding.starweb_order_id).where(
        OrderBinding.merchant_id == merchant_id, OrderBinding.starweb_order_id.in_(ids))))


def any_awaiting_initial_status(session: Session, merchant_id: str) -> bool:
    """Whether an exported order still lacks its initial status (``orders_awaiting_initial_status`` lists them)."""
    return session.scalar(select(OrderBinding.id).where(
        OrderBinding.merchant_id == merchant_id, OrderBinding.initial_status_set.is_(False),
        OrderBinding.cancelled_at.is_(None)).limit(1)) is not None


def orders_by_number(session: Session, merchant_id: str, numbers: Iterable[str]) -> dict[str, OrderBinding]:
    numbers = list(numbers)
    if not numbers:
        return {}
    found = session.scalars(_orders(merchant_id).where(OrderBinding.order_number.in_(numbers)))
    return {b.order_number: b for b in found}


def unfinished_orders(session: Session, merchant_id: str) -> list[OrderBinding]:
    """Exported orders that are not yet sent, cancelled or returned."""
    query = _orders(merchant_id).where((OrderBinding.state.is_(None)) | (OrderBinding.state.not_in(FINAL_STATES)))
    return list(session.scalars(query.order_by(OrderBinding.starweb_order_id)))


def orders_awaiting_initial_status(session: Session, merchant_id: str) -> list[OrderBinding]:
    query = _orders(merchant_id).where(OrderBinding.initial_status_set.is_(False),
                                       OrderBinding.cancelled_at.is_(None))
    return list(session.scalars(query.order_by(OrderBinding.starweb_order_id)))


def _replace_lines(binding: OrderBinding, lines: Sequence[LineSpec]) -> None:
    # Update rows in place by row number: the unit of work inserts before it deletes, so dropping and
    # re-adding a row with the same number would break the (order, row) unique key.
    wanted = {line.row_number: line for line in lines}
    for existing in list(binding.lines):
        if existing.row_number not in wanted:
            binding.lines.remove(existing)
    current = {line.row_number: line for line in binding.lines}
    for row, line in wanted.items():
        row_binding = current.get(row)
        if row_binding is None:
            binding.lines.append(LineBinding(row_number=row, sku=line.sku, quantity=line.quantity,
                                             starweb_item_id=line.starweb_item_id,
                                             ongoing_line_id=line.ongoing_line_id))
        else:
            row_binding.sku, row_binding.quantity = line.sku, line.quantity
            row_binding.starweb_item_id = line.starweb_item_id
            row_binding.ongoing_line_id = line.ongoing_line_id or row_binding.ongoing_line_id


def mark_exported(session: Session, merchant_id: str, *, starweb_order_id: int, order_number: str,
                  ongoing_order_id: int, pushed_hash: str, lines: Sequence[LineSpec], starweb_status_id: int | None,
                  starweb_created_at: datetime | None, starweb_modified_at: datetime | None, silent: bool,
                  now: datetime | None = None) -> OrderBinding:
    """The order now exists in Ongoing (its initial status is set separately)."""
    binding = find_order(session, merchant_id, starweb_order_id)
    if binding is None:
        binding = OrderBinding(merchant_id=merchant_id, starweb_order_id=starweb_order_id, order_number=order_number,
                               initial_status_set=False)
        session.add(binding)
    binding.ongoing_order_id = ongoing_order_id
    binding.pushed_hash = pushed_hash
    binding.starweb_status_id = starweb_status_id
    binding.starweb_created_at, binding.starweb_modified_at = starweb_created_at, starweb_modified_at
    binding.silent = silent
    binding.exported_at = binding.exported_at or now or utcnow()
    _replace_lines(binding, lines)
    session.flush()
    return binding


def mark_adopted(session: Session, merchant_id: str, *, starweb_order_id: int, order_number: str,
                 ongoing_order_id: int, lines: Sequence[LineSpec], pushed_hash: str | None, state: str,
                 ongoing_status: int | None, initial_status_set: bool, starweb_status_id: int | None,
                 starweb_created_at: datetime | None, starweb_modified_at: datetime | None, silent: bool,
                 now: datetime | None = None) -> OrderBinding:
    """The order was already in Ongoing under its number (another integration sent it, or this connector
    did before its ledger was lost): bind it as the warehouse holds it instead of sending it again. An order
    still in the warehouse's start status has ``initial_status_set`` False and its chosen state to set."""
    binding = find_order(session, merchant_id, starweb_order_id)
    if binding is None:
        binding = OrderBinding(merchant_id=merchant_id, starweb_order_id=starweb_order_id, order_number=order_number)
        session.add(binding)
    binding.ongoing_order_id, binding.pushed_hash = ongoing_order_id, pushed_hash
    binding.state, binding.ongoing_status, binding.initial_status_set = state, ongoing_status, initial_status_set
    binding.starweb_status_id = starweb_status_id
    binding.starweb_created_at, binding.starweb_modified_at = starweb_created_at, starweb_modified_at
    binding.silent = silent
    binding.adopted_at = now or utcnow()
    if state == "cancelled":
        binding.cancelled_at = binding.cancelled_at or binding.adopted_at
    _replace_lines(binding, lines)
    session.flush()
    return binding


def has_orders(session: Session, merchant_id: str) -> bool:
    """Does the ledger know any order of this merchant?"""
    return session.scalars(select(OrderBinding.id).where(OrderBinding.merchant_id == merchant_id).limit(1)).first() \
        is not None


def mark_initial_status(binding: OrderBinding, *, state: str, ongoing_status: int) -> None:
    binding.state, binding.ongoing_status, binding.initial_status_set = state, ongoing_status, True


def set_initial_status(session: Session, merchant_id: str, starweb_order_id: int, *, state: str,
                       ongoing_status: int) -> None:
    """``mark_initial_status`` in one statement, for a binding the session has not loaded (the export marks
    each order it just bound); ``LookupError`` when the order has no binding to mark."""
    marked = rows_changed(session, update(OrderBinding)
                          .where(OrderBinding.merchant_id == merchant_id,
                                 OrderBinding.starweb_order_id == starweb_order_id)
                          .values(state=state, ongoing_status=ongoing_status, initial_status_set=True)
                          .execution_options(synchronize_session=False))
    if marked != 1:
        raise LookupError(f"order {starweb_order_id} has no binding to mark its status on")


def mark_pushed(binding: OrderBinding, *, pushed_hash: str, lines: Sequence[LineSpec],
                starweb_modified_at: datetime | None) -> None:
    """An edit of the order reached Ongoing; the lines as pushed are the new agreement."""
    binding.pushed_hash, binding.refused_hash = pushed_hash, None
    binding.starweb_modified_at = starweb_modified_at
    _replace_lines(binding, lines)


def mark_not_taken(binding: OrderBinding, *, refused_hash: str, lines: Sequence[LineSpec]) -> None:
    """An edit was pushed but Ongoing does not hold it as sent: record the lines Ongoing holds, and the
    edit, so it is flagged once and pushed again only when its quarantine entry is due."""
    binding.refused_hash = refused_hash
    _replace_lines(binding, lines)


def mark_lines_agreed(binding: OrderBinding, *, pushed_hash: str, lines: Sequence[LineSpec]) -> None:
    """Both sides hold these lines again (after a warehouse-side change was copied to Starweb)."""
    binding.pushed_hash = pushed_hash
    _replace_lines(binding, lines)


def mark_refused(binding: OrderBinding, refused_hash: str) -> None:
    """An edit was refused because the warehouse has started; remember it so it is flagged only once."""
    binding.refused_hash = refused_hash


def mark_state(binding: OrderBinding, *, state: str, ongoing_status: int | None = None,
               starweb_status_id: int | None = None) -> None:
    binding.state = state
    if ongoing_status is not None:
        binding.ongoing_status = ongoing_status
    if starweb_status_id is not None:
        binding.starweb_status_id = starweb_status_id


def mark_warehouse_status(binding: OrderBinding, *, ongoing_status: int) -> None:
    """The warehouse's status number as last seen, where the state stays as it is (it is another flow's)."""
    binding.ongoing_status = ongoing_status


def mark_short_pick_noted(binding: OrderBinding, marker: str) -> None:
    """The short pick with this marker is noted on the Starweb order; the same one is not noted again."""
    binding.short_pick_noted = marker


def mark_shipped(binding: OrderBinding, *, state: str, starweb_status_id: int, shipped_at: datetime | None = None,
                 now: datetime | None = None) -> None:
    """A shipment of the order is reported to Starweb; the first shipment's time is the order's."""
    mark_state(binding, state=state, starweb_status_id=starweb_status_id)
    binding.shipped_at = binding.shipped_at or shipped_at or now or utcnow()


def mark_cancelled(binding: OrderBinding, *, ongoing_status: int | None, now: datetime | None = None) -> None:
    binding.state, binding.cancelled_at = "cancelled", now or utcnow()
    if ongoing_status is not None:
        binding.ongoing_status = ongoing_status


# --- articles ----------------------------------------------------------------------------------


def articles_by_sku(session: Session, merchant_id: str) -> dict[str, ArticleBinding]:
    found = session.scalars(select(ArticleBinding).where(ArticleBinding.merchant_id == merchant_id))
    return {a.sku: a for a in found}


def find_article(session: Session, merchant_id: str, sku: str) -> ArticleBinding | None:
    """One SKU's binding (by the unique merchant and SKU: one row read, however big the catalogue)."""
    return session.scalars(select(ArticleBinding).where(ArticleBinding.merchant_id == merchant_id,
                                                        ArticleBinding.sku == sku)).first()


def mark_article_pushed(session: Session, merchant_id: str, *, sku: str, article_system_id: int,
                        pushed_hash: str, starweb_product_id: int | None, starweb_variant_id: int | None,
                        is_active: bool) -> ArticleBinding:
    binding = find_article(session, merchant_id, sku)
    if binding is None:
        binding = ArticleBinding(merchant_id=merchant_id, sku=sku)
        session.add(binding)
    binding.article_system_id, binding.pushed_hash, binding.is_active = article_system_id, pushed_hash, is_active
    if starweb_product_id is not None:
        binding.starweb_product_id, binding.starweb_variant_id = starweb_product_id, starweb_variant_id
    binding.removed_in_starweb_at = None if is_active else binding.removed_in_starweb_at
    session.flush()
    return binding


def mark_article_removed(binding: ArticleBinding, *, now: datetime | None = None) -> None:
    """The SKU is gone from Starweb; Ongoing cannot delete it, so it is (at most) deactivated."""
    binding.removed_in_starweb_at = binding.removed_in_starweb_at or now or utcnow()


def reload(session: Session, binding: OrderBinding) -> OrderBinding:
    """The binding as stored now, attached to ``session`` (never merge a stale copy: it would overwrite)."""
    current = session.get(OrderBinding, binding.id)
    if current is None:
        raise LookupError(f"order binding {binding.id} ({binding.order_number}) disappeared from the ledger")
    return current
