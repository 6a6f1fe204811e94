"""Release claims: taking an order for a release so two runs at the same moment never release it twice.

A claim is the holder's Prefect flow-run id written with a conditional UPDATE, so only one run can hold
it. It is taken over at once when the caller has found the holder's run to be over (``finished_holders``:
crashed, failed, cancelled or completed), and, as a fallback when no one can tell, once it is older than
the stale limit. A run lets go of its claims when it ends, but the time of the claim stays until both
systems show the order in picking: that is how the next run finds a release left half done.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from ledger.atomic import rows_changed
from ledger.models import OrderBinding
from ledger.types import utcnow

STALE_AFTER = timedelta(minutes=15)


def claim_for_release(session: Session, binding_id: int, token: str, *, now: datetime | None = None,
                      finished_holders: Collection[str] = ()) -> bool:
    """Take the order for this run (``token``: its flow-run id); False when another run holds it that
    is not among ``finished_holders`` and has held it for less than the stale limit."""
    now = now or utcnow()
    changed = rows_changed(session,
        update(OrderBinding)
        .where(OrderBinding.id == binding_id, OrderBinding.released_at.is_(None),
               or_(OrderBinding.release_claim.is_(None), OrderBinding.release_claim == token,
                   OrderBinding.release_claim.in_(list(finished_holders)),
                   OrderBinding.release_claimed_at < now - STALE_AFTER))
        .values(release_claim=token, release_claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return changed == 1


def release_claim_holder(session: Session, binding_id: int) -> str | None:
    """Who holds the order's release claim now (a flow-run id), if anyone."""
    return session.scalar(select(OrderBinding.release_claim).where(OrderBinding.id == binding_id))


def let_go(session: Session, token: str) -> None:
    """End of a run: free its claims (a half-done release keeps its claim time for the next run)."""
    session.execute(update(OrderBinding).where(OrderBinding.release_claim == token)
                    .values(release_claim=None).execution_options(synchronize_session=False))


def mark_picking_in_warehouse(session: Session, binding_id: int, *, ongoing_status: int) -> None:
    """Ongoing holds the order in picking; Starweb follows (``mark_released``), in this run or the next."""
    binding = session.get(OrderBinding, binding_id)
    if binding is None:
        raise LookupError(f"order binding {binding_id} disappeared from the ledger")
    binding.state, binding.ongoing_status = "picking", ongoing_status


def mark_released(session: Session, binding_id: int, *, starweb_status_id: int, ongoing_status: int,
                  now: datetime | None = None) -> None:
    binding = session.get(OrderBinding, binding_id)
    assert binding is not None
    binding.state, binding.starweb_status_id, binding.ongoing_status = "picking", starweb_status_id, ongoing_status
    binding.released_at, binding.release_claim = now or utcnow(), None


def half_released(session: Session, merchant_id: str) -> list[OrderBinding]:
    """Releases that were started (claimed) but not finished on both sides."""
    query = (select(OrderBinding).options(selectinload(OrderBinding.lines))
             .where(OrderBinding.merchant_id == merchant_id, OrderBinding.release_claimed_at.is_not(None),
                    OrderBinding.released_at.is_(None), OrderBinding.cancelled_at.is_(None),
                    OrderBinding.state.is_(None) | OrderBinding.state.not_in(("sent", "returned", "cancelled"))))
    return list(session.scalars(query))


def set_hold(session: Session, merchant_id: str, starweb_order_id: int, on_hold: bool) -> bool:
    binding = session.scalars(select(OrderBinding).where(OrderBinding.merchant_id == merchant_id,
                                                         OrderBinding.starweb_order_id == starweb_order_id)).first()
    if binding is None:
        return False
    binding.on_hold = on_hold
    return True
