"""Webhook deliveries: what the receiver accepted, and the work events bring to the runs they start.

A delivery is recorded before its Prefect event is emitted (an outbox: one whose emit failed is emitted
again later). A vendor that sends the same event again (same key) finds it: an emitted one is a
duplicate, one not yet emitted is emitted now. Each process that listens to a delivery's event takes it
once, in a run started by that event or one that followed it. Rows older than any vendor retries are
forgotten; call counts per outcome are kept for good.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from ledger.models import WebhookCallCount, WebhookDelivery, WebhookTake


class Claim(StrEnum):
    NEW = "new"
    NOT_EMITTED = "not_emitted"  # seen before, but its event never reached Prefect
    DUPLICATE = "duplicate"


def find_delivery(session: Session, merchant_id: str, source: str, key: str) -> WebhookDelivery | None:
    return session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.merchant_id == merchant_id, WebhookDelivery.source == source,
        WebhookDelivery.delivery_key == key)).one_or_none()


def record_delivery(session: Session, *, merchant_id: str, source: str, key: str, event: str, record: str | None,
                    received_at: datetime) -> tuple[Claim, WebhookDelivery]:
    """Record a delivery unless its key is known; a concurrent twin makes the flush raise IntegrityError."""
    existing = find_delivery(session, merchant_id, source, key)
    if existing is not None:
        return (Claim.DUPLICATE if existing.emitted_at else Claim.NOT_EMITTED), existing
    row = WebhookDelivery(merchant_id=merchant_id, source=source, delivery_key=key, event=event, record=record,
                          received_at=received_at)
    session.add(row)
    session.flush()
    return Claim.NEW, row


def mark_emitted(session: Session, delivery_id: int, at: datetime) -> None:
    session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(emitted_at=at)
                    .execution_options(synchronize_session=False))


def unemitted_deliveries(session: Session, *, received_after: datetime, received_before: datetime,
                         limit: int = 100) -> list[WebhookDelivery]:
    """Deliveries whose event has not reached Prefect yet, oldest first."""
    return list(session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.emitted_at.is_(None), WebhookDelivery.received_at >= received_after,
               WebhookDelivery.received_at < received_before)
        .order_by(WebhookDelivery.id).limit(limit)))


def untaken_deliveries(session: Session, merchant_id: str, process: str, events: Collection[str],
                       since: datetime) -> list[WebhookDelivery]:
    """The merchant's deliveries of these events since ``since`` that the process has not taken, oldest first."""
    taken = exists().where(WebhookTake.delivery_id == WebhookDelivery.id, WebhookTake.process == process)
    return list(session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.merchant_id == merchant_id, WebhookDelivery.received_at >= since,
               WebhookDelivery.event.in_(list(events)), ~taken)
        .order_by(WebhookDelivery.id)))


def mark_taken(session: Session, delivery_ids: Collection[int], process: str, at: datetime) -> None:
    """The process has handled these deliveries (marking one twice is harmless)."""
    for delivery_id in delivery_ids:
        session.merge(WebhookTake(delivery_id=delivery_id, process=process, taken_at=at))


def forget_deliveries(session: Session, received_before: datetime) -> int:
    """Drop deliveries no vendor will resend any more; the number dropped."""
    result = session.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < received_before)
                             .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def count_call(session: Session, *, merchant_id: str, source: str, outcome: str, at: datetime) -> None:
    """Add one call to its (merchant, vendor, outcome) counter."""
    counter = session.get(WebhookCallCount, (merchant_id, source, outcome))
    if counter is None:
        session.add(WebhookCallCount(merchant_id=merchant_id, source=source, outcome=outcome, count=1, last_at=at))
    else:
        counter.count += 1
        counter.last_at = at


def call_counts(session: Session) -> list[WebhookCallCount]:
    return list(session.scalars(select(WebhookCallCount).order_by(
        WebhookCallCount.merchant_id, WebhookCallCount.source, WebhookCallCount.outcome)))
