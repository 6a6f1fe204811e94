"""Backordered orders in the ledger: exported as "open, backordered", not yet released, and the named
step that records one as "open, in stock" once stock covers it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import OrderBinding

BACKORDERED, IN_STOCK = "open_backordered", "open_in_stock"


def backordered_orders(session: Session, merchant_id: str) -> list[OrderBinding]:
    """Exported orders whose initial status "open, backordered" is set, not released, held or cancelled
    (a hold keeps the order as it is), oldest first."""
    query = select(OrderBinding).where(
        OrderBinding.merchant_id == merchant_id, OrderBinding.state == BACKORDERED,
        OrderBinding.initial_status_set.is_(True), OrderBinding.released_at.is_(None),
        OrderBinding.release_claim.is_(None), OrderBinding.cancelled_at.is_(None), OrderBinding.on_hold.is_(False),
        OrderBinding.ongoing_order_id.is_not(None))
    return list(session.scalars(query.order_by(OrderBinding.starweb_created_at, OrderBinding.starweb_order_id)))


def mark_in_stock(session: Session, merchant_id: str, starweb_order_id: int, *, ongoing_status: int) -> bool:
    """Record that a backordered order is now open and in stock; False if it is no longer backordered."""
    binding = session.scalars(select(OrderBinding).where(
        OrderBinding.merchant_id == merchant_id, OrderBinding.starweb_order_id == starweb_order_id)).first()
    if binding is None or binding.state != BACKORDERED:
        return False
    binding.state, binding.ongoing_status = IN_STOCK, ongoing_status
    return True
