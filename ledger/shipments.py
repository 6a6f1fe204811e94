"""The shipment log: the intent to report a shipment, recorded before the Starweb status change that
emails the customer, and its progress (intent → status_changed → acknowledged).

The (merchant, order number, shipment key) unique key means a shipment is taken by exactly one run
(``claimed_by``: its Prefect flow-run id). A shipment held by a run the caller has found to be over
(``finished_holders``) is taken over at once, and, as a fallback when no one can tell, once the claim is
older than the stale limit; the state says which step to resume from.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ledger.atomic import rows_changed
from ledger.models import Shipment
from ledger.types import utcnow

STALE_AFTER = timedelta(minutes=15)
INTENT, STATUS_CHANGED, ACKNOWLEDGED = "intent", "status_changed", "acknowledged"


def find(session: Session, merchant_id: str, order_number: str, key: str) -> Shipment | None:
    return session.scalars(select(Shipment).where(Shipment.merchant_id == merchant_id,
                                                  Shipment.order_number == order_number,
                                                  Shipment.shipment_key == key)).first()


def record_intent(session: Session, merchant_id: str, *, starweb_order_id: int, order_number: str, key: str,
                  lines: dict[str, Any], partial: bool, tracking_number: str | None, tracker_type: int | None,
                  target_status_id: int, send_email: bool, silent_reason: str | None, shipped_at: datetime | None,
                  run_token: str) -> Shipment:
    """Write the intent (with the email decision), taken by this run. A concurrent run that wrote the same
    shipment first makes the flush fail with ``IntegrityError``: the caller's session then rolls back."""
    sequence = 1 + (session.scalar(select(func.count()).select_from(Shipment).where(
        Shipment.merchant_id == merchant_id, Shipment.order_number == order_number)) or 0)
    shipment = Shipment(merchant_id=merchant_id, starweb_order_id=starweb_order_id, order_number=order_number,
                        shipment_key=key, sequence=sequence, lines=lines, partial=partial,
                        tracking_number=tracking_number, tracker_type=tracker_type, target_status_id=target_status_id,
                        send_email=send_email, silent_reason=silent_reason, state=INTENT, claimed_by=run_token,
                        intent_at=utcnow(), shipped_at=shipped_at)
    session.add(shipment)
    session.flush()
    return shipment


def take(session: Session, shipment_id: int, run_token: str, *, now: datetime | None = None,
         finished_holders: Collection[str] = ()) -> bool:
    """Take an unfinished shipment for this run, unless another run holds it that is not among
    ``finished_holders`` and has held it for less than the stale limit."""
    now = now or utcnow()
    changed = rows_changed(session,
        update(Shipment)
        .where(Shipment.id == shipment_id, Shipment.state != ACKNOWLEDGED,
               or_(Shipment.claimed_by.is_(None), Shipment.claimed_by == run_token,
                   Shipment.claimed_by.in_(list(finished_holders)),
                   Shipment.intent_at < now - STALE_AFTER))
        .values(claimed_by=run_token, intent_at=now)
        .execution_options(synchronize_session=False))
    return changed == 1


def mark_status_changed(session: Session, shipment_id: int, *, now: datetime | None = None) -> None:
    shipment = session.get(Shipment, shipment_id)
    assert shipment is not None
    shipment.state, shipment.status_changed_at = STATUS_CHANGED, now or utcnow()


def mark_acknowledged(session: Session, shipment_id: int, *, now: datetime | None = None) -> None:
    shipment = session.get(Shipment, shipment_id)
    assert shipment is not None
    shipment.state, shipment.acknowledged_at, shipment.claimed_by = ACKNOWLEDGED, now or utcnow(), None


def holders_after_status_change(session: Session, merchant_id: str) -> set[str]:
    """The runs holding shipments whose status change landed and whose acknowledgement is not recorded."""
    return set(session.scalars(select(Shipment.claimed_by).where(
        Shipment.merchant_id == merchant_id, Shipment.state == STATUS_CHANGED, Shipment.claimed_by.is_not(None))))


def acknowledged_elsewhere(session: Session, merchant_id: str, offered: Collection[tuple[str, str]], *,
                           finished_holders: Collection[str] = (), now: datetime | None = None) -> list[Shipment]:
    """Shipments whose status change landed but whose acknowledgement was never recorded, which Ongoing no
    longer offers (``offered``: order number and shipment key of what it still counts as not reported) and
    no live run holds: a run wrote the reported quantities and stopped before recording it, or the warehouse
    acknowledged them by hand."""
    now = now or utcnow()
    rows = session.scalars(select(Shipment).where(
        Shipment.merchant_id == merchant_id, Shipment.state == STATUS_CHANGED,
        or_(Shipment.claimed_by.is_(None), Shipment.claimed_by.in_(list(finished_holders)),
            Shipment.intent_at < now - STALE_AFTER))).all()
    return [row for row in rows if (row.order_number, row.shipment_key) not in offered]


def let_go(session: Session, run_token: str) -> None:
    session.execute(update(Shipment).where(Shipment.claimed_by == run_token).values(claimed_by=None)
                    .execution_options(synchronize_session=False))


def emails_triggered(session: Session, merchant_id: str, starweb_order_id: int | None = None) -> int:
    """Shipments whose status change was made with the customer email switched on."""
    query = select(func.count()).select_from(Shipment).where(
        Shipment.merchant_id == merchant_id, Shipment.send_email.is_(True), Shipment.state != INTENT)
    if starweb_order_id is not None:
        query = query.where(Shipment.starweb_order_id == starweb_order_id)
    return int(session.scalar(query) or 0)
