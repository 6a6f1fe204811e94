"""The return log and refund worklist: each return registered from the warehouse, how far its registration
got (recorded → starweb_done → acknowledged; ``held`` when it waits for a person) and where it stands on
the merchant's worklist (awaiting refund, contact customer, unmatched, refunded).

The (merchant, return key) unique key means a return is recorded by exactly one run, which holds it by
its flow-run id until it is carried through; a return held by a run the caller has found to be over
(``finished_holders``), or for longer than the stale limit, is taken over and resumes where it stopped.
The units a row registered are what later reads subtract from Ongoing's cumulative figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, tuple_, update
from sqlalchemy.orm import Session

from ledger.atomic import rows_changed
from ledger.models import ReturnRecord
from ledger.types import utcnow

STALE_AFTER = timedelta(minutes=15)
RECORDED, STARWEB_DONE, ACKNOWLEDGED, HELD = "recorded", "starweb_done", "acknowledged", "held"
OPEN_WORKLIST = ("awaiting_refund", "contact_customer", "unmatched")


@dataclass(frozen=True)
class NewReturn:
    """Everything decided about a return before anything is written to a vendor."""

    key: str
    source: str
    document_id: int
    reference: str
    order_number: str | None
    starweb_order_id: int | None
    kind: str
    lines: list[dict[str, Any]]
    acknowledgements: list[dict[str, Any]]
    comments: list[str]
    refund_amount: Decimal | None
    shipping_refund: Decimal | None
    currency: str | None
    fully_returned: bool
    target_status_id: int | None
    send_email: bool
    worklist_state: str
    note: str | None
    returned_at: datetime | None
    held: bool = False  # recorded for the worklist only: nothing is written to either vendor


def find(session: Session, merchant_id: str, key: str) -> ReturnRecord | None:
    return session.scalars(select(ReturnRecord).where(ReturnRecord.merchant_id == merchant_id,
                                                      ReturnRecord.return_key == key)).first()


def record(session: Session, merchant_id: str, new: NewReturn, run_token: str) -> ReturnRecord:
    """Write the return, taken by this run. A concurrent run that recorded the same return first makes the
    flush fail with ``IntegrityError``; the caller's session then rolls back."""
    now = utcnow()
    row = ReturnRecord(
        merchant_id=merchant_id, return_key=new.key, source=new.source, document_id=new.document_id,
        reference=new.reference[:100], order_number=new.order_number, starweb_order_id=new.starweb_order_id,
        kind=new.kind, lines=new.lines, acknowledgements=new.acknowledgements, comments=new.comments,
        refund_amount=new.refund_amount, shipping_refund=new.shipping_refund, currency=new.currency,
        fully_returned=new.fully_returned, target_status_id=new.target_status_id, send_email=new.send_email,
        progress=HELD if new.held else RECORDED, worklist_state=new.worklist_state, note=new.note,
        claimed_by=None if new.held else run_token, claimed_at=None if new.held else now,
        returned_at=new.returned_at, recorded_at=now)
    session.add(row)
    session.flush()
    return row


def registered_lines(session: Session, merchant_id: str,
                     documents: Iterable[tuple[str, int]]) -> list[tuple[str, int, dict[str, Any]]]:
    """(source, document id, line) of every line already recorded for these source documents."""
    wanted = list(set(documents))
    if not wanted:
        return []
    rows = session.scalars(select(ReturnRecord).where(
        ReturnRecord.merchant_id == merchant_id,
        tuple_(ReturnRecord.source, ReturnRecord.document_id).in_(wanted)))
    return [(row.source, row.document_id, line) for row in rows for line in row.lines]


def returned_by_sku(session: Session, merchant_id: str, starweb_order_id: int) -> dict[str, float]:
    """Units of each SKU registered as returned for one Starweb order, from every source."""
    found: dict[str, float] = defaultdict(float)
    for row in session.scalars(select(ReturnRecord).where(ReturnRecord.merchant_id == merchant_id,
                                                          ReturnRecord.starweb_order_id == starweb_order_id)):
        for line in row.lines:
            found[line["sku"]] += float(line["units"])
    return dict(found)


def shipping_refunded(session: Session, merchant_id: str, starweb_order_id: int) -> bool:
    query = select(ReturnRecord.id).where(ReturnRecord.merchant_id == merchant_id,
                                          ReturnRecord.starweb_order_id == starweb_order_id,
                                          ReturnRecord.shipping_refund > 0)
    return session.scalars(query).first() is not None


def unfinished(session: Session, merchant_id: str) -> list[ReturnRecord]:
    """Returns recorded but not yet carried through to the acknowledgement in Ongoing."""
    query = select(ReturnRecord).where(ReturnRecord.merchant_id == merchant_id,
                                       ReturnRecord.progress.in_((RECORDED, STARWEB_DONE)))
    return list(session.scalars(query.order_by(ReturnRecord.id)))


def take(session: Session, return_id: int, run_token: str, *, now: datetime | None = None,
         finished_holders: Collection[str] = ()) -> bool:
    """Take an unfinished return for this run, unless another run holds it that is not among
    ``finished_holders`` (runs known to be over) and has held it for less than the stale limit."""
    now = now or utcnow()
    changed = rows_changed(session,
        update(ReturnRecord)
        .where(ReturnRecord.id == return_id, ReturnRecord.progress.in_((RECORDED, STARWEB_DONE)),
               or_(ReturnRecord.claimed_by.is_(None), ReturnRecord.claimed_by == run_token,
                   ReturnRecord.claimed_by.in_(list(finished_holders)),
                   ReturnRecord.claimed_at < now - STALE_AFTER))
        .values(claimed_by=run_token, claimed_at=now)
        .execution_options(synchronize_session=False))
    return changed == 1


def _get(session: Session, return_id: int) -> ReturnRecord:
    row = session.get(ReturnRecord, return_id)
    assert row is not None
    return row


def mark_starweb_done(session: Session, return_id: int, *, customer_comments: Iterable[str] = (),
                      now: datetime | None = None) -> None:
    row = _get(session, return_id)
    row.progress, row.starweb_done_at = STARWEB_DONE, now or utcnow()
    extra = [c for c in customer_comments if c not in row.comments]
    if extra:
        row.comments = [*row.comments, *extra]


def mark_acknowledged(session: Session, return_id: int, *, now: datetime | None = None) -> None:
    row = _get(session, return_id)
    row.progress, row.acknowledged_at, row.claimed_by = ACKNOWLEDGED, now or utcnow(), None


def holder(session: Session, return_id: int) -> str | None:
    """The flow run holding the return now, if any."""
    return session.scalar(select(ReturnRecord.claimed_by).where(ReturnRecord.id == return_id))


def let_go(session: Session, run_token: str) -> None:
    session.execute(update(ReturnRecord).where(ReturnRecord.claimed_by == run_token).values(claimed_by=None)
                    .execution_options(synchronize_session=False))


def worklist(session: Session, merchant_id: str, *, include_closed: bool = False) -> list[ReturnRecord]:
    """The merchant's refund worklist, oldest first: open rows, or every row but the historic ones."""
    states = (*OPEN_WORKLIST, "refunded") if include_closed else OPEN_WORKLIST
    query = select(ReturnRecord).where(ReturnRecord.merchant_id == merchant_id,
                                       ReturnRecord.worklist_state.in_(states))
    return list(session.scalars(query.order_by(ReturnRecord.id)))


def mark_refunded(session: Session, merchant_id: str, return_id: int, *, note: str | None = None,
                  now: datetime | None = None) -> ReturnRecord | None:
    """The merchant refunded (or otherwise settled) the return; None if it is not an open worklist row."""
    row = session.get(ReturnRecord, return_id)
    if row is None or row.merchant_id != merchant_id or row.worklist_state not in OPEN_WORKLIST:
        return None
    row.worklist_state, row.refunded_at = "refunded", now or utcnow()
    if note:
        row.note = f"{row.note}; {note}" if row.note else note
    return row
