"""What the daily statistics read from the ledger: the orders and shipments that reached a milestone
(exported, released, shipped; intent recorded, status changed) within a period. Read only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ledger.models import OrderBinding, Shipment


def _within(column: InstrumentedAttribute[datetime | None] | InstrumentedAttribute[datetime], start: datetime,
            end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def orders_with_milestones(session: Session, merchant_id: str, start: datetime, end: datetime) -> list[OrderBinding]:
    """Orders exported, released or shipped between ``start`` (inclusive) and ``end``."""
    return list(session.scalars(select(OrderBinding).where(
        OrderBinding.merchant_id == merchant_id,
        or_(_within(OrderBinding.exported_at, start, end), _within(OrderBinding.released_at, start, end),
            _within(OrderBinding.shipped_at, start, end)))))


def shipments_with_milestones(session: Session, merchant_id: str, start: datetime, end: datetime) -> list[Shipment]:
    """Shipments shipped, recorded or reported to Starweb between ``start`` (inclusive) and ``end``."""
    return list(session.scalars(select(Shipment).where(
        Shipment.merchant_id == merchant_id,
        or_(_within(Shipment.shipped_at, start, end), _within(Shipment.intent_at, start, end),
            _within(Shipment.status_changed_at, start, end)))))
