"""Late tracking numbers: shipments waiting for their waybill, and reported ones still missing it.

A sighting is when the connector first saw a shipment that had no tracking number; its wait for the
waybill runs from there. A shipment reported without a number stays on the follow-up list until a
waybill is written to Starweb for its order or the follow-up window has passed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ledger.atomic import rows_changed
from ledger.models import Shipment, ShipmentSighting
from ledger.shipments import INTENT
from ledger.types import utcnow

ShipmentRef = tuple[str, str]  # (order number, shipment key)


def first_sightings(session: Session, merchant_id: str, shipments: Iterable[ShipmentRef], *, record: bool = True,
                    now: datetime | None = None) -> dict[ShipmentRef, datetime]:
    """When each shipment was first seen without a tracking number; new sightings count from ``now`` and
    are recorded unless ``record`` is false."""
    now = now or utcnow()
    wanted = set(shipments)
    if not wanted:
        return {}
    numbers = {number for number, _ in wanted}
    seen = {(s.order_number, s.shipment_key): s.first_seen_at for s in session.scalars(select(ShipmentSighting).where(
        ShipmentSighting.merchant_id == merchant_id, ShipmentSighting.order_number.in_(numbers)))}
    for number, key in sorted(wanted - seen.keys()):
        if record:
            session.add(ShipmentSighting(merchant_id=merchant_id, order_number=number, shipment_key=key,
                                         first_seen_at=now))
        seen[(number, key)] = now
    session.flush()
    return {ref: seen[ref] for ref in wanted}


def forget_sightings_before(session: Session, merchant_id: str, before: datetime) -> int:
    """Drop sightings too old to matter (their shipments are long reported)."""
    changed = rows_changed(session, delete(ShipmentSighting).where(ShipmentSighting.merchant_id == merchant_id,
                                                            ShipmentSighting.first_seen_at < before)
                             .execution_options(synchronize_session=False))
    return changed


def logged_shipments(session: Session, merchant_id: str, shipments: Iterable[ShipmentRef]) -> set[ShipmentRef]:
    """Which of these shipments already have an intent in the shipment log (their report has begun)."""
    wanted = set(shipments)
    if not wanted:
        return set()
    rows = session.execute(select(Shipment.order_number, Shipment.shipment_key).where(
        Shipment.merchant_id == merchant_id, Shipment.order_number.in_({n for n, _ in wanted})))
    return {(number, key) for number, key in rows} & wanted


def reported_without_tracking(session: Session, merchant_id: str, *, shipped_after: datetime) -> dict[str, int]:
    """Order number → Starweb order id of orders with a shipment reported to Starweb without a tracking
    number, shipped (or reported) after ``shipped_after``."""
    shipped = func.coalesce(Shipment.shipped_at, Shipment.status_changed_at)
    rows = session.execute(select(Shipment.order_number, Shipment.starweb_order_id).where(
        Shipment.merchant_id == merchant_id, Shipment.state != INTENT, Shipment.tracking_number.is_(None),
        shipped > shipped_after))
    return {number: int(order_id) for number, order_id in rows}


def reported_tracking_numbers(session: Session, merchant_id: str, order_numbers: Iterable[str]) -> dict[str, set[str]]:
    """The tracking numbers Starweb was already given, per order."""
    found: dict[str, set[str]] = defaultdict(set)
    rows = session.execute(select(Shipment.order_number, Shipment.tracking_number).where(
        Shipment.merchant_id == merchant_id, Shipment.order_number.in_(set(order_numbers)),
        Shipment.tracking_number.is_not(None)))
    for number, tracking in rows:
        if tracking is not None:  # never, by the query; the column is nullable
            found[number].add(tracking)
    return dict(found)


def mark_tracking_added(session: Session, merchant_id: str, order_number: str, tracking_number: str) -> int:
    """The waybill reached Starweb: the order's shipments reported without one now carry it."""
    changed = rows_changed(session, update(Shipment).where(
        Shipment.merchant_id == merchant_id, Shipment.order_number == order_number, Shipment.state != INTENT,
        Shipment.tracking_number.is_(None)).values(tracking_number=tracking_number[:50])
        .execution_options(synchronize_session=False))
    return changed
