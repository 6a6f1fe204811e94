"""The register of unbooked Starweb orders: orders that hold stock in Starweb but are not in the warehouse
yet, with their units, so the stock sync need not re-read old quarantined orders on every run.

The stock side keeps it up to date from its own stream of recently modified Starweb orders; an order
leaves it once exported, cancelled or moved on. Each run changes only the orders it read or saw, so a
concurrent run's additions are never lost.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain.unbooked_stock import UnbookedOrder
from ledger.models import OrderBinding
from ledger.models import UnbookedOrder as UnbookedOrderRow
from ledger.types import utcnow


def unbooked_orders(session: Session, merchant_id: str) -> dict[int, UnbookedOrder]:
    rows = session.scalars(select(UnbookedOrderRow).where(UnbookedOrderRow.merchant_id == merchant_id))
    return {row.starweb_order_id: UnbookedOrder(row.starweb_order_id, {sku: float(q) for sku, q in row.units.items()},
                                                row.starweb_modified_at) for row in rows}


def record_unbooked(session: Session, merchant_id: str, orders: Mapping[int, UnbookedOrder], *,
                    settled: Collection[int], now: datetime | None = None) -> None:
    """Record (or update) ``orders`` and drop the ``settled`` order ids."""
    now = now or utcnow()
    if settled:
        session.execute(delete(UnbookedOrderRow).where(UnbookedOrderRow.merchant_id == merchant_id,
                                                       UnbookedOrderRow.starweb_order_id.in_(list(settled)))
                        .execution_options(synchronize_session=False))
    stored = {row.starweb_order_id: row for row in session.scalars(select(UnbookedOrderRow).where(
        UnbookedOrderRow.merchant_id == merchant_id, UnbookedOrderRow.starweb_order_id.in_(list(orders))))}
    for order_id, order in orders.items():
        row = stored.get(order_id)
        if row is None:
            row = UnbookedOrderRow(merchant_id=merchant_id, starweb_order_id=order_id)
            session.add(row)
        row.units, row.starweb_modified_at, row.seen_at = dict(order.units), order.modified_at, now
    session.flush()


def exported_at(session: Session, merchant_id: str, order_ids: Collection[int]) -> dict[int, datetime | None]:
    """When each of these orders was exported to the warehouse (absent: not exported)."""
    if not order_ids:
        return {}
    rows = session.execute(select(OrderBinding.starweb_order_id, OrderBinding.exported_at).where(
        OrderBinding.merchant_id == merchant_id, OrderBinding.starweb_order_id.in_(list(order_ids))))
    return {int(order_id): at for order_id, at in rows}
